// The verivali survey form on a phone: location from the phone when allowed, and the answers
// not yet saved kept in this browser (localStorage) so a lost connection or a closed tab loses nothing.
(function () {
  "use strict";
  var form = document.getElementById("survey-form");
  if (!form) {
    return;
  }
  var key = form.getAttribute("data-survey-key");
  var savedAt = form.getAttribute("data-saved-at");
  var status = document.querySelector("[data-testid=location-status]");

  function setField(name, value) {
    var input = form.querySelector("input[name=" + name + "]");
    if (input) {
      input.value = value;
    }
  }

  // Location: only asked, never required.
  if (navigator.geolocation && !form.querySelector("input[name=latitude]").value) {
    if (status) {
      status.textContent = status.getAttribute("data-text-waiting");
    }
    navigator.geolocation.getCurrentPosition(
      function (position) {
        setField("latitude", position.coords.latitude.toFixed(6));
        setField("longitude", position.coords.longitude.toFixed(6));
        setField("accuracy", Math.round(position.coords.accuracy));
        if (status) {
          status.textContent = status.getAttribute("data-text-found") + ": " +
            position.coords.latitude.toFixed(5) + ", " + position.coords.longitude.toFixed(5);
        }
      },
      function () {
        if (status) {
          status.textContent = status.getAttribute("data-text-denied");
        }
      },
      { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 }
    );
  }

  // Unsaved answers: kept per assessment, only valid on top of the version saved on the server.
  var storage;
  try {
    storage = window.localStorage;
  } catch (error) {
    storage = null;
  }
  if (!storage || !key) {
    return;
  }

  function snapshot() {
    var data = { savedAt: savedAt, fields: {} };
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!element.name || element.type === "file" || element.type === "hidden" || element.type === "submit") {
        return;
      }
      if (element.type === "radio") {
        if (element.checked) {
          data.fields[element.name] = element.value;
        }
      } else {
        data.fields[element.name] = element.value;
      }
    });
    try {
      storage.setItem(key, JSON.stringify(data));
    } catch (error) {
      // storage full or disabled: the server draft still works
    }
  }

  function restore() {
    var data;
    try {
      data = JSON.parse(storage.getItem(key) || "null");
    } catch (error) {
      data = null;
    }
    if (!data || data.savedAt !== savedAt) {
      storage.removeItem(key);
      return;
    }
    Object.keys(data.fields).forEach(function (name) {
      var value = data.fields[name];
      var radios = form.querySelectorAll("input[type=radio][name='" + name + "']");
      if (radios.length) {
        Array.prototype.forEach.call(radios, function (radio) {
          radio.checked = radio.value === value;
        });
        return;
      }
      var field = form.elements[name];
      if (field && field.type !== "file") {
        field.value = value;
      }
    });
  }

  restore();
  form.addEventListener("change", snapshot);
  form.addEventListener("input", snapshot);
  // Not cleared on submit: if the upload fails, the answers are still here. A successful submit
  // leads to the survey's page, which drops the copy (data-forget-draft, pandu.js); a saved draft
  // changes data-saved-at, and the stale copy is dropped on the next load. Logout clears the
  // browser's storage of the office's pages (Clear-Site-Data).
})();
