// "Check no new access" beside the policy editor: CheckNoNewAccess of the draft against a version of the policy,
// through the REST API (the console's session), showing PASS or FAIL and the request that makes a FAIL true.
(function () {
  "use strict";

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function csrfToken(section) {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) { return input.value; }
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function draftText() {
    var editor = document.querySelector("[data-policy-editor]");
    if (editor && editor.editor) { return editor.editor.getValue(); }
    var textarea = document.querySelector("[data-policy-document]");
    return textarea ? textarea.value : "";
  }

  function describe(example) {
    var list = el("dl", "counterexample");
    [["Action", example.action], ["Resource", example.resource], ["Principal", example.principal]].forEach(function (row) {
      if (row[1] === undefined || row[1] === null) { return; }
      list.appendChild(el("dt", "", row[0]));
      list.appendChild(el("dd", "", row[1]));
    });
    var keys = Object.keys(example.context || {});
    if (keys.length) {
      list.appendChild(el("dt", "", "Context"));
      list.appendChild(el("dd", "", JSON.stringify(example.context)));
    }
    return list;
  }

  function show(box, body, versionId) {
    box.textContent = "";
    var verdict = el("p", "check-verdict " + (body.result === "PASS" ? "pass" : "fail"));
    verdict.appendChild(el("strong", "", body.result));
    verdict.appendChild(document.createTextNode(" compared with " + versionId + ": " + body.message));
    box.appendChild(verdict);
    if (body.reasons && body.reasons.length) {
      var reasons = el("ul", "check-reasons");
      body.reasons.forEach(function (reason) { reasons.appendChild(el("li", "", reason.description)); });
      box.appendChild(reasons);
    }
    if (body.counterexample) {
      box.appendChild(el("p", "", "A request the draft allows and " + versionId + " does not:"));
      box.appendChild(describe(body.counterexample));
    }
  }

  function setup(section) {
    var data = document.getElementById("comparable-versions");
    var versions = data ? JSON.parse(data.textContent) : [];
    var select = section.querySelector("[data-compare-version]");
    var button = section.querySelector("[data-run-check]");
    var box = section.querySelector("[data-check-result]");
    button.addEventListener("click", function () {
      var chosen = versions.filter(function (v) { return v.version_id === select.value; })[0];
      if (!chosen) { return; }
      box.textContent = "Checking…";
      fetch(section.getAttribute("data-check-url"), {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrfToken(section) },
        body: JSON.stringify({ new_policy_document: draftText(), existing_policy_document: chosen.document,
                               policy_type: "IDENTITY_POLICY" })
      }).then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      }).then(function (result) {
        if (result.ok) { show(box, result.body, chosen.version_id); return; }
        var error = result.body.error || {};
        box.textContent = "";
        box.appendChild(el("p", "check-verdict error", (error.code || "Error") + ": " + (error.message || "the check failed.")));
      }).catch(function () {
        box.textContent = "The check could not be run; try again.";
      });
    });
  }

  function onReady(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  onReady(function () { document.querySelectorAll("[data-no-new-access]").forEach(setup); });
})();
