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

  onReady(function () {
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
    document.querySelectorAll("[data-password-rules]").forEach(checkRules);
    syncShowWhen();
    syncConfirmName();
  });
})();
