// Waiting-room display: a clock; the board itself refreshes with htmx every 2 s and keeps
// showing the last board when the server does not answer.
(function () {
  "use strict";
  var clock = document.getElementById("clock");
  function tick() {
    var now = new Date();
    clock.textContent = now.toLocaleTimeString("id-ID", { hour: "2-digit", minute: "2-digit" });
  }
  tick();
  setInterval(tick, 10000);
  document.body.addEventListener("htmx:responseError", function (event) { event.preventDefault(); });
  document.body.addEventListener("htmx:sendError", function (event) { event.preventDefault(); });
})();
