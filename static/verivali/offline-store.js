// The surveyor's phone keeps the downloaded assignments, the surveys and their photos in
// IndexedDB (through Dexie, from the npm registry) and sends them when a connection returns
// (verivali/offline.py answers). Loaded on every page a surveyor sees: it registers the service
// worker and keeps logging out from deleting work that was not sent. docs/verivali.md says what
// the phone keeps and when it forgets it.
(function () {
  "use strict";
  var config = document.getElementById("pandu-offline");
  if (!config || !window.Dexie || !window.indexedDB) {
    return;
  }
  var urls = {
    sw: config.getAttribute("data-sw"),
    download: config.getAttribute("data-download"),
    send: config.getAttribute("data-send"),
    photo: config.getAttribute("data-photo"),
    field: config.getAttribute("data-field"),
    login: config.getAttribute("data-login"),
    list: config.getAttribute("data-list"),
    survey: config.getAttribute("data-survey")
  };

  var db = new window.Dexie("pandu-verivali");
  db.version(1).stores({
    households: "id, state", // one downloaded assignment: the household, its members, the survey
    photos: "uuid, assessment", // photos taken on the phone and not yet sent
    scorecards: "number", // the questions and options of the scorecard versions in use
    meta: "key" // the choices' labels and the time of the last download
  });

  // A household's state on this phone; "phone" and "conflict" are work not yet at the office.
  var UNSENT = ["phone", "conflict"];
  // The statuses of an assessment the surveyor may still change (Assessment.OPEN_FOR_SURVEYOR).
  var OPEN = ["assigned", "draft", "returned"];

  function newUuid() {
    if (window.crypto && window.crypto.randomUUID) {
      return window.crypto.randomUUID();
    }
    var bytes = window.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) {
      return decodeURIComponent(match[1]);
    }
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // --- download -----------------------------------------------------------------------------

  // The outcome as the phone edits and sends it (the office's copy also carries its label).
  function outcomeOf(copy) {
    var outcome = Object.assign({ kind: "found", splits: [] }, copy.outcome || {});
    delete outcome.label;
    return outcome;
  }

  function freshRecord(copy) {
    return {
      id: copy.id,
      state: "downloaded",
      data: copy,
      baseVersion: copy.version,
      // the answers the registry settles start chosen, as on the online form
      answers: Object.assign({}, copy.prefilled || {}, copy.answers || {}),
      findings: copy.findings || {},
      outcome: outcomeOf(copy),
      details: copy.details || {},
      head: copy.head ? { education: copy.head.education, occupation: copy.head.occupation } : null,
      newborns: copy.newborns || [],
      notes: copy.notes || "",
      location: copy.location || null,
      finished: false,
      sending: null,
      conflict: null,
      error: "",
      savedAt: 0
    };
  }

  // The server's assignments replace what the phone holds, except households with work not sent.
  function saveDownload(data) {
    var ids = data.assignments.map(function (copy) { return copy.id; });
    return db.transaction("rw", db.households, db.photos, db.scorecards, db.meta, function () {
      return db.households.toArray().then(function (records) {
        var byId = {};
        records.forEach(function (record) { byId[record.id] = record; });
        var gone = records.filter(function (record) {
          return ids.indexOf(record.id) === -1 && UNSENT.indexOf(record.state) === -1;
        }).map(function (record) { return record.id; });
        var fresh = data.assignments.filter(function (copy) {
          var mine = byId[copy.id];
          return !mine || UNSENT.indexOf(mine.state) === -1;
        }).map(freshRecord);
        return Promise.all([
          db.households.bulkDelete(gone),
          db.photos.where("assessment").anyOf(gone).delete(),
          db.households.bulkPut(fresh),
          db.scorecards.bulkPut(Object.keys(data.scorecards).map(function (key) { return data.scorecards[key]; })),
          db.meta.bulkPut([
            { key: "choices", value: data.choices },
            { key: "downloadedAt", value: data.downloaded_at },
            { key: "batches", value: data.batches || [] },
            { key: "scorecard", value: data.scorecard }
          ])
        ]);
      });
    });
  }

  function download() {
    // Ask the browser to keep the phone's data even when storage runs low (an installed app
    // usually gets it); without it the data may be evicted only under pressure, never at random.
    if (navigator.storage && navigator.storage.persist) {
      navigator.storage.persist().catch(function () { return false; });
    }
    return fetch(urls.download, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        var problem = refusal(response);
        if (problem) {
          return { status: problem };
        }
        return response.json().then(function (data) {
          return saveDownload(data).then(function () { return { status: "ok", count: data.assignments.length }; });
        });
      }, function () { return { status: "network" }; });
  }

  // --- the phone's own changes --------------------------------------------------------------

  function household(id) {
    return db.households.get(Number(id));
  }

  function households() {
    return db.households.toArray();
  }

  // Keep the surveyor's changes of a household; it is now work on this phone only (or still in
  // conflict, until the surveyor chooses).
  function saveChanges(id, changes) {
    return db.households.where("id").equals(Number(id)).modify(function (record) {
      Object.assign(record, changes);
      record.state = record.state === "conflict" ? "conflict" : "phone";
      record.error = "";
      record.savedAt = Date.now();
    });
  }

  // What the phone noted by itself (its location): kept, sent with the surveyor's next change.
  function note(id, changes) {
    return db.households.update(Number(id), changes);
  }

  function photosOf(id) {
    return db.photos.where("assessment").equals(Number(id)).toArray();
  }

  // A new photo of a kind replaces the one taken before on the phone (the server keeps one per kind).
  function savePhoto(id, kind, blob) {
    var assessment = Number(id);
    return db.transaction("rw", db.photos, db.households, function () {
      return db.photos.where("assessment").equals(assessment).filter(function (photo) {
        return photo.kind === kind;
      }).delete().then(function () {
        return db.photos.add({ uuid: newUuid(), assessment: assessment, kind: kind, blob: blob, takenAt: Date.now() });
      }).then(function () {
        return saveChanges(assessment, {});
      });
    });
  }

  // A household found in the field, registered on the phone: a negative id until the office gives
  // it one; its members are named by keys made here ("k1"…). ``field`` is what registers it.
  function addFieldHousehold(field, copy) {
    var id = -Date.now();
    var record = freshRecord(Object.assign({}, copy, { id: id }));
    record.state = "phone";
    record.savedAt = Date.now();
    record.field = Object.assign({ uuid: newUuid() }, field);
    return db.households.add(record).then(function () { return id; });
  }

  function unsentCount() {
    return db.households.where("state").anyOf(UNSENT).count();
  }

  // After a finished survey reached the office the phone keeps only that it was sent.
  function forget(record, answer) {
    return db.transaction("rw", db.households, db.photos, function () {
      return Promise.all([
        db.photos.where("assessment").equals(record.id).delete(),
        db.households.put({
          id: record.id,
          state: "sent",
          forgotten: true,
          statusLabel: answer.status_label,
          village: record.data.household.village,
          batch: record.data.batch,
          sentAt: Date.now()
        })
      ]);
    });
  }

  function removeHousehold(id) {
    return db.transaction("rw", db.households, db.photos, function () {
      return Promise.all([
        db.households.delete(Number(id)),
        db.photos.where("assessment").equals(Number(id)).delete()
      ]);
    });
  }

  // The surveyor chose: send the phone's copy again on top of the server's version, or take the
  // server's copy (the phone's unsent photos of that household go).
  function keepMine(id) {
    return household(id).then(function (record) {
      return db.households.update(record.id, {
        state: "phone", baseVersion: record.conflict.version, data: record.conflict,
        conflict: null, sending: null, error: "", savedAt: Date.now()
      });
    });
  }

  function takeServers(id) {
    return household(id).then(function (record) {
      var copy = record.conflict;
      return db.transaction("rw", db.households, db.photos, function () {
        return db.photos.where("assessment").equals(record.id).delete().then(function () {
          if (OPEN.indexOf(copy.status) === -1) {
            return forget(record, copy);
          }
          return db.households.put(freshRecord(copy));
        });
      });
    });
  }

  // --- sending ------------------------------------------------------------------------------

  function isLogin(response) {
    return response.type === "opaqueredirect" ||
      (response.redirected && new URL(response.url).pathname === urls.login) || response.status === 403;
  }

  function refusal(response) {
    if (isLogin(response)) {
      return "login";
    }
    var type = response.headers.get("Content-Type") || "";
    if (type.indexOf("json") === -1) {
      return response.status === 404 ? "gone" : "server";
    }
    return "";
  }

  function post(url, body, json) {
    var headers = { "X-CSRFToken": csrfToken(), Accept: "application/json" };
    if (json) {
      headers["Content-Type"] = "application/json";
    }
    return fetch(url, { method: "POST", credentials: "same-origin", headers: headers, body: body })
      .then(function (response) {
        var problem = refusal(response);
        if (problem) {
          return { outcome: problem };
        }
        return response.json().then(function (answer) {
          var outcome = response.status === 200 ? "ok" : response.status === 409 ? "conflict" : "refused";
          return { outcome: outcome, answer: answer };
        });
      }, function () { return { outcome: "network" }; });
  }

  // A household downloaded before the phone knew outcomes has none: the keys are then left out
  // (JSON drops undefined) and the office keeps what it has.
  function surveyBody(record) {
    return {
      scorecard: record.data.scorecard,
      answers: record.answers,
      findings: record.findings,
      outcome: record.outcome,
      details: record.details,
      head: record.head || undefined,
      newborns: record.newborns,
      notes: record.notes,
      location: record.location,
      submit: record.finished === true
    };
  }

  // What happened to one household's send; "stop" when nothing else can be sent now.
  function settle(record, reply) {
    if (reply.outcome === "conflict") {
      return db.households.update(record.id, { state: "conflict", conflict: reply.answer.server, sending: null })
        .then(function () { return "conflict"; });
    }
    if (reply.outcome === "refused" || reply.outcome === "gone") {
      var message = reply.answer ? reply.answer.error : "";
      return db.households.update(record.id, { error: message || reply.outcome, sending: null })
        .then(function () { return "refused"; });
    }
    return Promise.resolve("stop:" + reply.outcome);
  }

  function sendPhotos(record, photos) {
    if (!photos.length) {
      return Promise.resolve("ok");
    }
    var photo = photos[0];
    var form = new FormData();
    form.append("uuid", photo.uuid);
    form.append("kind", photo.kind);
    form.append("base_version", record.baseVersion);
    form.append("image", photo.blob, photo.kind + ".jpg");
    return post(urls.photo.replace("/0/", "/" + record.id + "/"), form, false).then(function (reply) {
      if (reply.outcome !== "ok") {
        return settle(record, reply);
      }
      record.baseVersion = reply.answer.version;
      record.data.photos = (record.data.photos || []).filter(function (k) { return k !== photo.kind; }).concat([photo.kind]);
      return db.transaction("rw", db.households, db.photos, function () {
        return Promise.all([
          db.photos.delete(photo.uuid),
          db.households.update(record.id, { baseVersion: record.baseVersion, data: record.data })
        ]);
      }).then(function () { return sendPhotos(record, photos.slice(1)); });
    });
  }

  function sendSurvey(record) {
    // A send that got no answer is repeated as it was, under its UUID: the server answers it once.
    var sending = record.sending || { uuid: newUuid(), body: surveyBody(record), savedAt: record.savedAt };
    return db.households.update(record.id, { sending: sending }).then(function () {
      var body = Object.assign({}, sending.body, { uuid: sending.uuid, base_version: record.baseVersion });
      return post(urls.send.replace("/0/", "/" + record.id + "/"), JSON.stringify(body), true);
    }).then(function (reply) {
      if (reply.outcome !== "ok") {
        return settle(record, reply);
      }
      return household(record.id).then(function (now) {
        if (OPEN.indexOf(reply.answer.status) === -1) {
          return forget(now, reply.answer);
        }
        var changedSince = now.savedAt !== sending.savedAt;
        return db.households.update(record.id, {
          sending: null,
          baseVersion: reply.answer.version,
          state: changedSince ? "phone" : "sent",
          error: "",
          data: Object.assign({}, now.data, { status: reply.answer.status, status_label: reply.answer.status_label })
        });
      }).then(function () { return "sent"; });
    });
  }

  // The office registers the household found in the field (once per UUID) with the survey so far;
  // the phone then keeps it under the office's id and its members' ids, and sends its photos and
  // the survey as for any assignment.
  function sendField(record) {
    var body = { uuid: record.field.uuid, household: record.field.household, members: record.field.members,
      survey: Object.assign(surveyBody(record), { submit: false }) };
    return post(urls.field.replace("/0/", "/" + record.field.batch + "/"), JSON.stringify(body), true).then(function (reply) {
      if (reply.outcome !== "ok") {
        return settle(record, reply);
      }
      var answer = reply.answer;
      var ids = answer.members || {};
      var newId = function (key) { return ids[key] !== undefined ? ids[key] : key; };
      var rekey = function (map) {
        var out = {};
        Object.keys(map || {}).forEach(function (key) { out[newId(key)] = map[key]; });
        return out;
      };
      var data = Object.assign({}, record.data, {
        id: answer.id, version: answer.version, status: answer.status, status_label: answer.status_label,
        members: record.data.members.map(function (member) { return Object.assign({}, member, { id: newId(member.id) }); }),
        head: record.data.head ? Object.assign({}, record.data.head, { id: newId(record.data.head.id) }) : null
      });
      var registered = Object.assign({}, record, {
        id: answer.id, field: null, data: data, baseVersion: answer.version, error: "", sending: null,
        findings: rekey(record.findings), details: rekey(record.details)
      });
      return db.transaction("rw", db.households, db.photos, function () {
        return Promise.all([
          db.households.delete(record.id),
          db.households.put(registered),
          db.photos.where("assessment").equals(record.id).modify({ assessment: answer.id })
        ]);
      }).then(function () { return registered; });
    });
  }

  function sendHousehold(record) {
    if (record.field) {
      return sendField(record).then(function (result) {
        return typeof result === "string" ? result : sendHousehold(result);
      });
    }
    return photosOf(record.id).then(function (photos) {
      return sendPhotos(record, photos);
    }).then(function (outcome) {
      return outcome === "ok" ? sendSurvey(record) : outcome;
    });
  }

  function sendEach(records, summary) {
    if (!records.length) {
      return Promise.resolve(summary);
    }
    return sendHousehold(records[0]).then(function (outcome) {
      if (outcome.indexOf("stop:") === 0) {
        summary.stopped = outcome.slice(5);
        return summary;
      }
      summary[outcome] = (summary[outcome] || 0) + 1;
      return sendEach(records.slice(1), summary);
    });
  }

  // Send every household with work on this phone only (conflicts wait for the surveyor's choice).
  function sendAll() {
    var run = function () {
      return db.households.where("state").equals("phone").toArray().then(function (records) {
        return sendEach(records, { sent: 0, conflict: 0, refused: 0, stopped: "" });
      });
    };
    if (navigator.locks && navigator.locks.request) {
      return navigator.locks.request("pandu-verivali-outbox", run);
    }
    return run();
  }

  window.PanduOffline = {
    db: db,
    urls: urls,
    OPEN: OPEN,
    outcomeOf: outcomeOf,
    download: download,
    household: household,
    households: households,
    saveChanges: saveChanges,
    note: note,
    photosOf: photosOf,
    savePhoto: savePhoto,
    unsentCount: unsentCount,
    sendAll: sendAll,
    keepMine: keepMine,
    takeServers: takeServers,
    removeHousehold: removeHousehold,
    addFieldHousehold: addFieldHousehold,
    scorecard: function (number) { return db.scorecards.get(number); },
    meta: function (key) { return db.meta.get(key).then(function (row) { return row ? row.value : null; }); }
  };

  // --- the service worker and logging out ---------------------------------------------------

  if ("serviceWorker" in navigator && window.isSecureContext) {
    navigator.serviceWorker.register(urls.sw, { scope: new URL(".", new URL(urls.sw, location.href)).pathname })
      .catch(function () { return undefined; });
  }

  // Logging out deletes what the phone keeps (and the server's Clear-Site-Data says so too): not
  // while a survey waits to be sent. Then the surveyor is warned and stays logged in.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-logout") || form.getAttribute("data-checked") === "1") {
      return;
    }
    event.preventDefault();
    event.stopImmediatePropagation();
    unsentCount().then(function (count) {
      if (count > 0) {
        var warning = document.getElementById("offline-logout-warning");
        if (!warning) {
          warning = document.createElement("div");
          warning.id = "offline-logout-warning";
          warning.className = "alert alert-danger";
          warning.setAttribute("role", "alert");
          warning.setAttribute("data-testid", "logout-warning");
          var main = document.getElementById("main");
          main.insertBefore(warning, main.firstChild);
        }
        warning.textContent = config.getAttribute("data-logout-warning").replace("{n}", count) + " ";
        var link = document.createElement("a");
        link.href = urls.list;
        link.textContent = config.getAttribute("data-logout-link");
        warning.appendChild(link);
        warning.scrollIntoView();
        return undefined;
      }
      return db.delete().catch(function () { return undefined; }).then(function () {
        form.setAttribute("data-checked", "1");
        form.submit();
      });
    });
  }, true);
})();
