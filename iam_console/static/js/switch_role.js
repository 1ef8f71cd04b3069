// Switch role: count down the time left in the role bar; reload when the session ends so the page drops back
// to the user's own identity (the server decides; this only keeps the bar honest between requests).
(function () {
  "use strict";

  function format(seconds) {
    var minutes = Math.floor(Math.max(0, seconds) / 60);
    if (minutes < 60) { return minutes + " min"; }
    var rest = minutes % 60;
    return Math.floor(minutes / 60) + " h " + (rest < 10 ? "0" : "") + rest + " min";
  }

  function start() {
    var clock = document.getElementById("role-time-left");
    if (!clock) { return; }
    var ends = Date.now() + parseInt(clock.getAttribute("data-seconds-left"), 10) * 1000;
    var timer = setInterval(function () {
      var left = Math.round((ends - Date.now()) / 1000);
      clock.textContent = format(left);
      if (left <= 0) { clearInterval(timer); window.location.reload(); }
    }, 15000);
  }

  if (document.readyState !== "loading") { start(); } else { document.addEventListener("DOMContentLoaded", start); }
}());
