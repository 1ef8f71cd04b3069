// The policy editor: ACE over the document textarea (which it keeps in sync, so the form posts as without
// JavaScript), live validation as you type with gutter markers and a findings list, and the policy summary.
(function () {
  "use strict";

  var DEBOUNCE_MS = 300;
  var SEVERITIES = [
    { key: "ERROR", title: "Errors", css: "error", ace: "error" },
    { key: "SECURITY_WARNING", title: "Security warnings", css: "security", ace: "warning" },
    { key: "WARNING", title: "Warnings", css: "warning", ace: "warning" },
    { key: "SUGGESTION", title: "Suggestions", css: "suggestion", ace: "info" }
  ];

  function onReady(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  function csrfToken(root) {
    var input = root.closest("form") && root.closest("form").querySelector("input[name=csrfmiddlewaretoken]");
    if (input) { return input.value; }
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  // The same markup as the server's _findings.html, so a page looks the same before and after the first check.
  function renderFindings(box, findings) {
    box.textContent = "";
    var counts = el("div", "finding-counts");
    counts.setAttribute("role", "list");
    SEVERITIES.forEach(function (severity) {
      var items = findings.filter(function (f) { return f.severity === severity.key; });
      var count = el("span", "finding-count " + severity.css, severity.title + " ");
      count.setAttribute("role", "listitem");
      count.setAttribute("data-count", severity.key);
      count.appendChild(el("strong", "", String(items.length)));
      counts.appendChild(count);
    });
    box.appendChild(counts);
    SEVERITIES.forEach(function (severity) {
      var items = findings.filter(function (f) { return f.severity === severity.key; });
      if (!items.length) { return; }
      box.appendChild(el("h3", "finding-heading " + severity.css, severity.title + " (" + items.length + ")"));
      var list = el("ul", "finding-list");
      items.forEach(function (finding) {
        var item = el("li", "finding " + severity.css);
        var go = el("button", "finding-go", "Ln " + finding.line + ", Col " + finding.column);
        go.type = "button";
        go.setAttribute("data-line", finding.line);
        go.setAttribute("data-column", finding.column);
        item.appendChild(go);
        item.appendChild(document.createTextNode(" "));
        item.appendChild(el("span", "finding-code", finding.issue_code));
        if (finding.blocking) { item.appendChild(el("span", "finding-blocking", "blocks saving")); }
        item.appendChild(document.createTextNode(" " + finding.message));
        list.appendChild(item);
      });
      box.appendChild(list);
    });
    box.toggleAttribute("data-empty", findings.length === 0);
  }

  function setup(root) {
    var textarea = root.querySelector("[data-policy-document]");
    if (!textarea || !window.ace) { return; }
    var readonly = root.hasAttribute("data-readonly");
    var form = root.closest("form");
    var saveButtons = form ? form.querySelectorAll("[data-save]") : [];
    var status = root.querySelector("[data-editor-status]");
    var findingsBox = root.querySelector("[data-findings]");
    var summaryBox = root.querySelector("[data-summary]");
    var Range = window.ace.require("ace/range").Range;

    var host = el("div", "ace-host");
    textarea.parentNode.insertBefore(host, textarea);
    textarea.classList.add("mirrored");
    textarea.setAttribute("tabindex", "-1");
    textarea.setAttribute("aria-hidden", "true");

    var editor = window.ace.edit(host, {
      mode: "ace/mode/json", theme: "ace/theme/chrome", useWorker: false, readOnly: readonly,
      minLines: readonly ? 4 : 18, maxLines: 48, fontSize: 13, tabSize: 2, useSoftTabs: true,
      showPrintMargin: false, highlightActiveLine: !readonly, wrap: false,
      textInputAriaLabel: "Policy document (JSON)"  // ACE appends the cursor's row to this name
    });
    editor.session.setValue(textarea.value);
    editor.renderer.setScrollMargin(4, 6, 0, 0);
    editor.textInput.getElement().setAttribute("aria-label", "Policy document (JSON)");
    editor.textInput.getElement().id = textarea.id + "_ace";
    var label = root.querySelector("label[for='" + textarea.id + "']");
    if (label) { label.setAttribute("for", textarea.id + "_ace"); }
    root.editor = editor;  // for tests and the browser's console

    // Tab indents inside the editor. Esc then Tab (or Shift+Tab) leaves it, as in other code editors on the web,
    // so the keyboard is never trapped; the hint is tied to the editor and the switch is announced.
    var hint = el("p", "help editor-keys");
    hint.id = textarea.id + "_keys";
    hint.textContent = "Tab indents. To leave the editor with the keyboard, press Esc, then Tab or Shift+Tab.";
    host.parentNode.insertBefore(hint, textarea.nextSibling);
    var aceInput = editor.textInput.getElement();
    aceInput.setAttribute("aria-describedby", hint.id);
    var announcer = el("span", "visually-hidden");
    announcer.setAttribute("aria-live", "assertive");
    hint.appendChild(announcer);
    var leaving = false;
    host.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        leaving = true;
        announcer.textContent = " Tab now moves out of the editor.";
        return;
      }
      if (event.key === "Tab" && leaving) {
        event.stopPropagation();  // before ACE sees it: the browser moves the focus as usual
      }
      if (event.key !== "Shift") { leaving = false; announcer.textContent = ""; }
    }, true);

    var markers = [];
    function clearMarkers() {
      markers.forEach(function (id) { editor.session.removeMarker(id); });
      markers = [];
    }

    function jump(line, column) {
      editor.gotoLine(line, Math.max(column - 1, 0), true);
      editor.scrollToLine(line - 1, true, true, function () {});
      if (!readonly) { editor.focus(); }
    }

    root.addEventListener("click", function (event) {
      var go = event.target.closest(".finding-go");
      if (!go) { return; }
      jump(parseInt(go.getAttribute("data-line"), 10) || 1, parseInt(go.getAttribute("data-column"), 10) || 1);
    });

    var jumpLine = parseInt(root.getAttribute("data-jump-line") || "", 10);
    if (jumpLine > 0) {
      markers.push(editor.session.addMarker(new Range(jumpLine - 1, 0, jumpLine - 1, 1), "policy-jump-line",
                                            "fullLine"));
      jump(jumpLine, 1);
      host.scrollIntoView({ block: "center" });
    }
    if (readonly) { return; }

    function setSaving(allowed) {
      saveButtons.forEach(function (button) {
        button.disabled = !allowed;
        button.title = allowed ? "" : "Fix the errors in the policy document first.";
      });
    }

    function show(findings) {
      clearMarkers();
      editor.session.setAnnotations(findings.map(function (f) {
        var severity = SEVERITIES.filter(function (s) { return s.key === f.severity; })[0] || SEVERITIES[3];
        return { row: Math.max(f.line - 1, 0), column: Math.max(f.column - 1, 0), type: severity.ace,
                 text: f.issue_code + ": " + f.message };
      }));
      findings.forEach(function (f) {
        if (f.severity !== "ERROR" && f.severity !== "SECURITY_WARNING") { return; }
        var row = Math.max(f.line - 1, 0);
        markers.push(editor.session.addMarker(new Range(row, 0, row, 1),
                                              f.severity === "ERROR" ? "policy-error-line" : "policy-warning-line",
                                              "fullLine"));
      });
      if (findingsBox) { renderFindings(findingsBox, findings); }
      // Only what IAM itself refuses blocks saving; every other finding is advice.
      var errors = findings.filter(function (f) { return f.blocking; }).length;
      if (status) {
        status.textContent = errors ? errors + " error" + (errors === 1 ? "" : "s") + " to fix"
          : (findings.length ? "No blocking errors" : "No findings");
        status.className = "editor-status " + (errors ? "bad" : "good");
      }
      root.setAttribute("data-state", errors ? "invalid" : "valid");
      setSaving(errors === 0);
    }

    function refreshSummary(text) {
      if (!summaryBox) { return; }
      var body = new URLSearchParams();
      body.set("document", text);
      body.set("policy_type", root.getAttribute("data-policy-type") || "IDENTITY_POLICY");
      fetch(root.getAttribute("data-summary-url"), {
        method: "POST", credentials: "same-origin", body: body,
        headers: { "X-CSRFToken": csrfToken(root) }
      }).then(function (response) {
        return response.ok ? response.text() : null;
      }).then(function (html) {
        if (html !== null && editor.getValue() === text) { summaryBox.innerHTML = html; }
      }).catch(function () {});
    }

    var timer = null;
    var sequence = 0;
    function validate() {
      var text = editor.getValue();
      var mine = ++sequence;
      if (!text.trim()) {
        show([{ severity: "ERROR", issue_code: "EMPTY_DOCUMENT", message: "Write a policy document.", line: 1,
                column: 1, blocking: true }]);
        return;
      }
      if (status) { status.textContent = "Checking…"; status.className = "editor-status"; }
      fetch(root.getAttribute("data-validate-url"), {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "application/json",
                   "X-CSRFToken": csrfToken(root) },
        body: JSON.stringify({ policy_document: text, policy_type: root.getAttribute("data-policy-type") })
      }).then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      }).then(function (result) {
        if (mine !== sequence) { return; }  // a newer edit is already being checked
        if (!result.ok) {
          // Without permission to validate, saving still works: the server checks the document again.
          if (status) { status.textContent = "Live checking unavailable: the document is checked on save."; }
          setSaving(true);
          return;
        }
        show(result.body.findings || []);
        if (result.body.valid) { refreshSummary(text); }
      }).catch(function () {
        if (mine === sequence && status) { status.textContent = "Could not check the document; it is checked on save."; }
        setSaving(true);
      });
    }

    editor.session.on("change", function () {
      textarea.value = editor.getValue();
      clearTimeout(timer);
      timer = setTimeout(validate, DEBOUNCE_MS);
    });
    if (form) {
      form.addEventListener("submit", function () { textarea.value = editor.getValue(); });
    }
    validate();
  }

  onReady(function () {
    if (window.ace) {
      // CSP allows only our own scripts and styles: no injected <style>, no eval'd workers.
      window.ace.config.set("useStrictCSP", true);
      window.ace.config.set("loadWorkerFromBlob", false);
    }
    document.querySelectorAll("[data-policy-editor]").forEach(setup);
  });
})();
