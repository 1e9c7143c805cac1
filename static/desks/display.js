// Waiting-room display: a clock; the board itself refreshes with htmx every 2 s and keeps
// showing the last board when the server does not answer. A new call is announced four ways:
// the live region (screen readers read its text aloud), a chime for everyone in the room, a
// flash of the newest card (a still outline with prefers-reduced-motion, display.css), and the
// number spoken by the browser's own Indonesian voice when it has one (speechSynthesis works
// offline with the system's voices; without an Indonesian one nothing is spoken).
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

  var announcer = document.getElementById("announcer");
  var audio = null;
  function chime() {
    // Two short tones from the Web Audio API: no sound file, nothing from outside the office.
    // Browsers play sound only after a click on the page, or when started for kiosks with
    // --autoplay-policy=no-user-gesture-required (docs/queue.md).
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      [[880, 0], [660, 0.35]].forEach(function (tone) {
        var oscillator = audio.createOscillator();
        var gain = audio.createGain();
        var start = audio.currentTime + tone[1];
        oscillator.frequency.value = tone[0];
        gain.gain.setValueAtTime(0.0001, start);
        gain.gain.exponentialRampToValueAtTime(0.4, start + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.6);
        oscillator.connect(gain).connect(audio.destination);
        oscillator.start(start);
        oscillator.stop(start + 0.65);
      });
    } catch (error) {
      // no audio device: the screen and the live region still show the call
    }
  }
  document.addEventListener("click", function () { if (audio) { audio.resume(); } else { chime(); } });

  var speech = window.speechSynthesis || null;
  var language = (document.documentElement.lang || "id").toLowerCase();
  function voice() {
    var voices = speech ? speech.getVoices() : [];
    for (var i = 0; i < voices.length; i++) {
      if ((voices[i].lang || "").toLowerCase().replace("_", "-").indexOf(language) === 0) { return voices[i]; }
    }
    return null;
  }
  function speak(text) {
    var chosen = voice();
    if (!chosen || !text || !window.SpeechSynthesisUtterance) { return; }
    var utterance = new window.SpeechSynthesisUtterance(text);
    utterance.voice = chosen;
    utterance.lang = chosen.lang;
    utterance.rate = 0.9;
    speech.cancel();  // a newer call replaces one still being read
    speech.speak(utterance);
  }
  if (speech) { speech.getVoices(); }  // some browsers load their voices on the first ask

  // The board is replaced every 2 s, so the flash is put back on the newest card after each
  // refresh, carried on from where it was (a negative delay) until it has run its course.
  var FLASH_MS = 6000;
  var flashCall = null;
  var flashStart = 0;
  function flash(card) {
    var elapsed = Date.now() - flashStart;
    if (!card || card.getAttribute("data-call") !== flashCall || elapsed >= FLASH_MS) { return; }
    card.style.animationDelay = (-elapsed) + "ms";
    card.classList.add("flash");
  }

  function latestCall() {
    return document.querySelector("#board [data-call]");
  }
  var last = latestCall();
  var lastCall = last ? last.getAttribute("data-call") : null;  // already on the board: not new
  document.body.addEventListener("htmx:afterSettle", function () {
    var latest = latestCall();
    var call = latest ? latest.getAttribute("data-call") : null;
    if (call && call !== lastCall) {
      announcer.textContent = latest.getAttribute("data-announce");
      flashCall = call;
      flashStart = Date.now();
      chime();
      // after the chime's two tones
      setTimeout(function () { speak(latest.getAttribute("data-speak")); }, 900);
    }
    flash(latest);
    lastCall = call;
  });
})();
