// Recovery codes download: the file is built here from the page, so the codes are never sent a second time.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-text-download]");
    if (!button) { return; }
    var list = document.getElementById(button.getAttribute("data-text-download"));
    var lines = Array.prototype.map.call(list.querySelectorAll("li"), function (item) { return item.textContent.trim(); });
    var blob = new Blob([lines.join("\r\n") + "\r\n"], { type: "text/plain" });
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = button.getAttribute("data-filename");
    document.body.appendChild(link);
    link.click();
    setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 0);
  });
})();
