// Small progressive enhancements for the console: copy buttons, CSV downloads, live password rules,
// show/hide dependent fields, confirmations. Every page works without it.
(function () {
  "use strict";

  function onReady(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  function copyText(button) {
    var target = document.getElementById(button.getAttribute("data-copy-target"));
    if (!target || !navigator.clipboard) { return; }
    navigator.clipboard.writeText(target.textContent.trim()).then(function () {
      var label = button.textContent;
      button.textContent = "Copied";
      button.classList.add("copied");
      setTimeout(function () { button.textContent = label; button.classList.remove("copied"); }, 1500);
    });
  }

  function csvField(value) {
    return /[",\r\n]/.test(value) ? '"' + value.replace(/"/g, '""') + '"' : value;
  }

  // The CSV is built here from the page: the secret is never sent a second time or kept on the server.
  function downloadCsv(button) {
    var header = button.getAttribute("data-csv-header");
    var row = button.getAttribute("data-csv-row").split(",").map(csvField).join(",");
    var blob = new Blob([header + "\r\n" + row + "\r\n"], { type: "text/csv" });
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = button.getAttribute("data-csv-filename");
    document.body.appendChild(link);
    link.click();
    setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 0);
  }

  var SYMBOLS = "!@#$%^&*()_+-=[]{}|'";
  var CHECKS = {
    upper: function (p) { return /[A-Z]/.test(p); },
    lower: function (p) { return /[a-z]/.test(p); },
    number: function (p) { return /[0-9]/.test(p); },
    symbol: function (p) { return p.split("").some(function (c) { return SYMBOLS.indexOf(c) >= 0; }); },
    three: function (p) {
      return [CHECKS.upper(p), CHECKS.lower(p), CHECKS.number(p), CHECKS.symbol(p)].filter(Boolean).length >= 3;
    }
  };

  function checkRules(input) {
    var box = document.querySelector('[data-rules-for="' + input.id + '"]');
    if (!box) { return; }
    box.querySelectorAll("li[data-rule]").forEach(function (item) {
      var rule = item.getAttribute("data-rule");
      var ok = rule.indexOf("min:") === 0 ? input.value.length >= parseInt(rule.slice(4), 10) && input.value.length <= 128
        : (CHECKS[rule] ? CHECKS[rule](input.value) : false);
      item.classList.toggle("met", ok && input.value.length > 0);
      item.classList.toggle("unmet", !ok);
    });
  }

  function syncShowWhen() {
    document.querySelectorAll("[data-show-when]").forEach(function (block) {
      var control = document.getElementById(block.getAttribute("data-show-when"));
      if (control) { block.hidden = !control.checked; }
    });
  }

  function syncConfirmName() {
    document.querySelectorAll("[data-confirm-name]").forEach(function (input) {
      var ok = input.value.trim().toLowerCase() === input.getAttribute("data-confirm-name");
      input.form.querySelectorAll("[data-needs-confirm]").forEach(function (b) { b.disabled = !ok; });
    });
  }

  // The password-policy page: list what Save will change, compared with the rules in force.
  var POLICY_NUMBERS = { max_password_age: "expire_passwords", password_reuse_prevention: "prevent_reuse" };
  function policyChanges() {
    var form = document.querySelector("[data-policy-form]");
    var source = document.getElementById("policy-in-force");
    if (!form || !source) { return; }
    var inForce = JSON.parse(source.textContent).values;
    var mode = form.querySelector('input[name="mode"]:checked');
    var items = [];
    if (!mode || mode.value === "default") {
      if (inForce) { items.push("Delete the password policy: the default rules apply again."); }
    } else {
      if (!inForce) { items.push("Replace the default rules with this custom policy:"); }
      ["minimum_password_length", "require_uppercase_characters", "require_lowercase_characters", "require_numbers",
        "require_symbols", "allow_users_to_change_password", "max_password_age", "hard_expiry",
        "password_reuse_prevention"].forEach(function (name) {
        var input = document.getElementById("id_" + name);
        if (!input) { return; }
        var value = input.type === "checkbox" ? input.checked : parseInt(input.value, 10);
        var gate = POLICY_NUMBERS[name] || (name === "hard_expiry" ? "expire_passwords" : null);
        if (gate && !document.getElementById("id_" + gate).checked) { value = name === "hard_expiry" ? false : null; }
        var old = inForce ? inForce[name] : null;
        if (inForce && old === value) { return; }
        if (!inForce && (value === false || value === null)) { return; }
        var label = document.querySelector('label[for="id_' + name + '"]') || input.closest("label");
        var words = function (v) { return v === true ? "on" : (v === false || v === null || isNaN(v)) ? "off" : String(v); };
        items.push((label ? label.textContent.trim() : name) + ": " + (inForce ? words(old) + " \u2192 " : "") + words(value));
      });
    }
    var list = document.getElementById("policy-change-list");
    list.textContent = "";
    if (!items.length) { items.push("Nothing: the form shows the rules in force."); }
    items.forEach(function (text) { var li = document.createElement("li"); li.textContent = text; list.appendChild(li); });
  }

  document.documentElement.classList.add("js");  // phones fold the navigation only when the Menu button works

  function typingIn(target) {
    return target.closest("input, textarea, select, [contenteditable], .ace_editor");
  }

  onReady(function () {
    var menuButton = document.querySelector("[data-menu-toggle]");
    if (menuButton) {
      menuButton.addEventListener("click", function () {
        var nav = document.getElementById(menuButton.getAttribute("aria-controls"));
        var open = !nav.classList.contains("open");
        nav.classList.toggle("open", open);
        menuButton.setAttribute("aria-expanded", open ? "true" : "false");
        if (open) { var first = nav.querySelector("a"); if (first) { first.focus(); } }
      });
    }
    // "/" jumps to the search box from anywhere but a field; Esc there closes the results.
    document.addEventListener("keydown", function (event) {
      var search = document.getElementById("global-search");
      if (!search) { return; }
      if (event.key === "/" && !event.ctrlKey && !event.metaKey && !event.altKey && !typingIn(event.target)) {
        event.preventDefault();
        search.focus();
        search.select();
      } else if (event.key === "Escape" && event.target === search) {
        document.getElementById("search-results").textContent = "";
      }
    });
    document.addEventListener("click", function (event) {
      var copy = event.target.closest("[data-copy-target]");
      if (copy) { copyText(copy); return; }
      var csv = event.target.closest("[data-csv-row]");
      if (csv) { downloadCsv(csv); }
    });
    document.addEventListener("submit", function (event) {
      var message = event.target.getAttribute("data-confirm");
      if (message && !window.confirm(message)) { event.preventDefault(); }
    });
    document.addEventListener("input", function (event) {
      if (event.target.matches("[data-password-rules]")) { checkRules(event.target); }
      if (event.target.matches("[data-confirm-name]")) { syncConfirmName(); }
    });
    document.addEventListener("change", syncShowWhen);
    document.addEventListener("change", policyChanges);
    document.addEventListener("input", policyChanges);
    policyChanges();
    document.querySelectorAll("[data-password-rules]").forEach(checkRules);
    syncShowWhen();
    syncConfirmName();
  });
})();
