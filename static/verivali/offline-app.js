// The two pages of the offline surveys, filled from what the phone keeps (offline-store.js):
// the list of downloaded households with their state, and one household's survey. Every change
// on the survey is written to the phone at once, so a closed page or a restarted phone loses nothing.
(function () {
  "use strict";
  var store = window.PanduOffline;
  var stringsElement = document.getElementById("offline-strings");
  if (!store || !stringsElement) {
    return;
  }
  var T = JSON.parse(stringsElement.textContent);

  function text(key, values) {
    var value = T[key] || key;
    Object.keys(values || {}).forEach(function (name) {
      value = value.split("{" + name + "}").join(String(values[name]))
        .split("%(" + name + ")s").join(String(values[name]));
    });
    return value;
  }

  // A small element builder: el("p", {class: "small"}, ["text", child]).
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === false || value === null || value === undefined) {
        return;
      }
      if (name === "text") {
        node.textContent = value;
      } else {
        node.setAttribute(name, value === true ? "" : value);
      }
    });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function message(kind, words, link) {
    var box = document.getElementById("offline-message");
    box.textContent = "";
    if (!words) {
      return;
    }
    var alert = el("div", { class: "alert alert-" + kind }, [words]);
    if (link) {
      alert.appendChild(document.createTextNode(" "));
      alert.appendChild(el("a", { href: link.href, text: link.text }));
    }
    box.appendChild(alert);
  }

  function problemMessage(status) {
    if (status === "login") {
      var next = encodeURIComponent(location.pathname + location.search);
      message("warning", text("login"), { href: store.urls.login + "?next=" + next, text: text("login_link") });
    } else if (status === "network") {
      message("warning", text("network_error"));
    } else {
      message("danger", text("server_error"));
    }
  }

  function place(data) {
    var h = data.household;
    return [h.kecamatan ? h.village + ", " + h.kecamatan : h.village, "KK " + (h.kk_number || "—"), data.batch].join(" · ");
  }

  function householdTitle(data) {
    var h = data.household;
    return h.address + (h.rt ? ", RT " + h.rt + "/RW " + h.rw : "");
  }

  // --- the list ---------------------------------------------------------------------------

  var STATE_COLOURS = { downloaded: "secondary", phone: "warning text-dark", sent: "success", conflict: "danger" };

  function card(record) {
    var state = el("span", {
      class: "badge bg-" + STATE_COLOURS[record.state] + " align-self-start",
      "data-testid": "state",
      text: text("state_" + record.state)
    });
    if (record.forgotten) {
      return el("article", { class: "card mb-2", "data-testid": "household", "data-id": record.id, "data-state": record.state }, [
        el("div", { class: "card-body p-2 d-flex justify-content-between gap-2" }, [
          el("div", { class: "small" }, [
            el("div", { class: "fw-semibold", text: record.village + " · " + record.batch }),
            text("forgotten", { status: record.statusLabel })
          ]),
          state
        ])
      ]);
    }
    var data = record.data;
    var body = el("div", { class: "card-body p-2" }, [
      el("div", { class: "d-flex justify-content-between gap-2" }, [
        el("div", {}, [
          el("div", { class: "fw-semibold", text: householdTitle(data) }),
          el("div", { class: "small text-muted", text: place(data) })
        ]),
        state
      ])
    ]);
    if (record.field) {
      body.appendChild(el("span", { class: "badge bg-info text-dark me-1", "data-testid": "field-new", text: text("field_new") }));
    }
    if (record.finished && record.state === "phone") {
      body.appendChild(el("span", { class: "badge bg-primary", text: text("finished") }));
    }
    if (record.error) {
      body.appendChild(el("div", { class: "alert alert-danger p-2 my-2 small", "data-testid": "error" }, [
        text("refused") + " " + (record.error === "gone" ? text("gone") : record.error)
      ]));
    }
    var actions = el("div", { class: "d-flex gap-2 mt-2" }, [
      el("a", { class: "btn btn-primary btn-sm flex-grow-1", href: store.urls.survey + "?a=" + record.id, text: text("open"),
        "aria-label": text("open") + ": " + householdTitle(data) })
    ]);
    var remove = el("button", { type: "button", class: "btn btn-outline-danger btn-sm", text: text("remove") });
    remove.addEventListener("click", function () {
      if (window.confirm(text("remove_confirm"))) {
        store.removeHousehold(record.id).then(renderList);
      }
    });
    actions.appendChild(remove);
    body.appendChild(actions);
    return el("article", { class: "card mb-2", "data-testid": "household", "data-id": record.id, "data-state": record.state,
      "data-kk": data.household.kk_number }, [body]);
  }

  function renderList() {
    return Promise.all([store.households(), store.meta("downloadedAt")]).then(function (results) {
      var list = document.getElementById("offline-households");
      var records = results[0];
      list.textContent = "";
      if (!records.length) {
        list.appendChild(el("div", { class: "alert alert-info", text: text("nothing") }));
      }
      records.sort(function (a, b) { return a.id - b.id; }).forEach(function (record) {
        list.appendChild(card(record));
      });
      document.getElementById("offline-downloaded").textContent = results[1]
        ? text("downloaded_at", { time: new Date(results[1]).toLocaleString() }) : "";
    });
  }

  function showNetwork() {
    var line = document.getElementById("offline-network");
    line.textContent = navigator.onLine ? text("network_online") : text("network_offline");
  }

  function send() {
    message("info", text("sending"));
    return store.sendAll().then(function (summary) {
      if (summary.stopped) {
        problemMessage(summary.stopped);
      } else if (!summary.sent && !summary.conflict && !summary.refused) {
        message("info", text("nothing_to_send"));
      } else {
        message(summary.conflict || summary.refused ? "warning" : "success", text("send_result", summary));
      }
      return renderList();
    });
  }

  // --- a household found in the field, registered on the phone --------------------------------

  function fieldMemberLine(choicesNow, index) {
    var sexes = [el("option", { value: "", text: "—" })].concat(choicesNow.sexes.map(function (o) {
      return el("option", { value: o[0], text: o[1] });
    }));
    var relationships = [el("option", { value: "", text: "—" })].concat(choicesNow.relationships.map(function (o) {
      return el("option", { value: o[0], text: o[1] });
    }));
    function cell(css, label, control) {
      control.id = "field-m" + index + "-" + control.getAttribute("data-name");
      return el("div", { class: css }, [el("label", { class: "form-label small mb-0", for: control.id, text: label }), control]);
    }
    return el("div", { class: "row g-2 mb-2 pb-2 border-bottom", "data-testid": "field-member" }, [
      cell("col-12 col-sm-4", text("full_name"), el("input", { class: "form-control", "data-name": "full_name", maxlength: "150" })),
      cell("col-6 col-sm-4", text("relationship"), el("select", { class: "form-select", "data-name": "relationship" }, relationships)),
      cell("col-6 col-sm-4", text("sex"), el("select", { class: "form-select", "data-name": "sex" }, sexes)),
      cell("col-6", text("birth_date"), el("input", { class: "form-control", type: "date", "data-name": "birth_date" })),
      cell("col-6", text("nik"), el("input", { class: "form-control", "data-name": "nik", inputmode: "numeric", maxlength: "40" }))
    ]);
  }

  function fieldForm() {
    return Promise.all([store.meta("batches"), store.meta("choices"), store.meta("scorecard")]).then(function (results) {
      var batches = results[0] || [];
      var choicesNow = results[1];
      var box = document.getElementById("offline-field");
      if (!batches.length || !choicesNow || !choicesNow.relationships) {
        box.hidden = true;
        return;
      }
      box.hidden = false;
      var batchSelect = document.getElementById("field-batch");
      var village = document.getElementById("field-village");
      var members = document.getElementById("field-members");
      var labels = {};
      choicesNow.villages.forEach(function (option) { labels[option[0]] = option[1]; });
      batchSelect.textContent = "";
      batches.forEach(function (batch) { batchSelect.appendChild(el("option", { value: batch.id, text: batch.name })); });
      document.getElementById("field-batch-row").hidden = batches.length === 1;
      function villages() {
        var batch = batches.filter(function (b) { return String(b.id) === batchSelect.value; })[0];
        village.textContent = "";
        village.appendChild(el("option", { value: "", text: "—" }));
        batch.villages.forEach(function (id) { village.appendChild(el("option", { value: id, text: labels[id] || String(id) })); });
      }
      batchSelect.onchange = villages;
      villages();
      members.textContent = "";
      members.appendChild(fieldMemberLine(choicesNow, 0));
      members.appendChild(fieldMemberLine(choicesNow, 1));
      document.getElementById("field-member-add").onclick = function () {
        members.appendChild(fieldMemberLine(choicesNow, members.children.length));
      };
      document.getElementById("field-save").onclick = function () {
        saveFieldHousehold(batches, choicesNow, labels, results[2]);
      };
    });
  }

  function saveFieldHousehold(batches, choicesNow, labels, scorecardNumber) {
    var value = function (id) { return document.getElementById(id).value.trim(); };
    var batch = batches.filter(function (b) { return String(b.id) === value("field-batch"); })[0];
    var lines = Array.prototype.map.call(document.querySelectorAll("#field-members [data-testid=field-member]"), function (line, index) {
      var member = { key: "k" + (index + 1) };
      Array.prototype.forEach.call(line.querySelectorAll("[data-name]"), function (input) {
        member[input.getAttribute("data-name")] = input.value.trim();
      });
      return member;
    }).filter(function (member) { return member.full_name || member.relationship || member.sex || member.birth_date || member.nik; });
    var complete = lines.every(function (m) { return m.full_name && m.relationship && m.sex; });
    var heads = lines.filter(function (m) { return m.relationship === "head"; });
    if (!value("field-village") || !value("field-address") || !lines.length || !complete || heads.length !== 1) {
      message("danger", text("field_missing"));
      return;
    }
    var label = function (options, key) { return (options.filter(function (o) { return o[0] === key; })[0] || [key, key])[1]; };
    var household = { kk_number: value("field-kk"), address: value("field-address"), rt: value("field-rt"),
      rw: value("field-rw"), village: Number(value("field-village")) };
    var copy = {
      version: "", status: "assigned", status_label: "", return_note: "", batch: batch.name, scorecard: scorecardNumber,
      household: { kk_number: household.kk_number, address: household.address, rt: household.rt, rw: household.rw,
        village: labels[household.village] || "", kecamatan: "" },
      members: lines.map(function (m) {
        return { id: m.key, full_name: m.full_name, relationship: label(choicesNow.relationships, m.relationship),
          birth_year: m.birth_date ? Number(m.birth_date.slice(0, 4)) : null, life_status: "" };
      }),
      head: { id: heads[0].key, education: "", occupation: "" },
      answers: {}, findings: {}, newborns: [], notes: "", location: null, photos: [], details: {}, prefilled: {}
    };
    store.addFieldHousehold({ batch: batch.id, household: household, members: lines }, copy).then(function (id) {
      location.href = store.urls.survey + "?a=" + id;
    });
  }

  function listPage() {
    showNetwork();
    window.addEventListener("offline", showNetwork);
    window.addEventListener("online", function () {
      showNetwork();
      send();
    });
    document.getElementById("offline-download").addEventListener("click", function () {
      message("info", text("downloading"));
      store.download().then(function (result) {
        if (result.status === "ok") {
          message("success", text("downloaded", { n: result.count }));
        } else {
          problemMessage(result.status);
        }
        return Promise.all([renderList(), fieldForm()]);
      });
    });
    document.getElementById("offline-send").addEventListener("click", send);
    fieldForm();
    if (new URLSearchParams(location.search).get("finished")) {
      message("success", text("finished_saved"));
    }
    renderList().then(function () {
      if (navigator.onLine) {
        return store.unsentCount().then(function (count) { return count ? send() : undefined; });
      }
      return undefined;
    });
  }

  // --- one household's survey ---------------------------------------------------------------

  var record;
  var scorecard;
  var choices;

  function save(changes) {
    Object.assign(record, changes);
    return store.saveChanges(record.id, changes).then(function () {
      record.state = record.state === "conflict" ? "conflict" : "phone";
    });
  }

  function radioGroup(name, options, checked, onChange) {
    return options.map(function (option) {
      var id = name + "-" + option[0];
      var input = el("input", { class: "btn-check", type: "radio", name: name, id: id, value: option[0],
        autocomplete: "off", checked: String(checked) === String(option[0]) });
      input.addEventListener("change", function () { onChange(option[0]); });
      return [input, el("label", { class: "btn btn-outline-secondary", for: id, text: option[1] })];
    }).reduce(function (all, pair) { return all.concat(pair); }, []);
  }

  function renderHeader() {
    var data = record.data;
    var box = document.getElementById("offline-household");
    box.textContent = "";
    box.appendChild(el("h1", { class: "h4 mb-1", text: householdTitle(data) }));
    box.appendChild(el("p", { class: "small text-muted", text: place(data) }));
    if (data.status === "returned" && data.return_note) {
      box.appendChild(el("div", { class: "alert alert-warning", "data-testid": "return-note" }, [
        el("strong", { text: text("returned") }), " " + data.return_note
      ]));
    }
    if (record.field) {
      box.appendChild(registrationEdit());
    }
  }

  // A household found in the field, not registered yet: what the office refused (a KK number or
  // NIK already registered…) is corrected here, and the next send tries again.
  function registrationEdit() {
    var registration = record.field;
    function setHousehold(key, value) {
      var household = Object.assign({}, record.field.household);
      var shown = Object.assign({}, record.data.household);
      household[key] = value;
      shown[key] = value;
      return save({ field: Object.assign({}, record.field, { household: household }),
        data: Object.assign({}, record.data, { household: shown }) });
    }
    function setNik(key, value) {
      var members = record.field.members.map(function (member) {
        return member.key === key ? Object.assign({}, member, { nik: value }) : member;
      });
      return save({ field: Object.assign({}, record.field, { members: members }) });
    }
    function householdInput(id, label, key, attrs, css) {
      return field(id, label, input(attrs, registration.household[key], function (value) { setHousehold(key, value); }), css);
    }
    var rows = [
      householdInput("fh-kk", text("kk_number"), "kk_number", KK_INPUT, "col-sm-6"),
      householdInput("fh-address", text("address"), "address", { maxlength: "255" }, "col-sm-6"),
      householdInput("fh-rt", text("rt"), "rt", { maxlength: "3" }, "col-6"),
      householdInput("fh-rw", text("rw"), "rw", { maxlength: "3" }, "col-6")
    ].concat(registration.members.map(function (member) {
      return field("fh-nik-" + member.key, member.full_name + ": " + text("nik"),
        input({ inputmode: "numeric", maxlength: "40" }, member.nik, function (value) { setNik(member.key, value); }), "col-sm-6");
    }));
    var body = el("div", { class: "card-body row g-2" }, rows);
    if (record.error) {
      body.insertBefore(el("div", { class: "col-12 alert alert-danger small mb-1", text: text("refused") + " " + record.error }), body.firstChild);
    }
    return el("details", { class: "card mb-3", "data-testid": "field-household-edit", open: Boolean(record.error) }, [
      el("summary", { class: "card-header", text: text("field_new") }), body
    ]);
  }

  function renderMembers() {
    var box = document.getElementById("offline-members");
    box.textContent = "";
    if (!record.data.members.length) {
      box.appendChild(el("p", { class: "text-muted", text: text("members_none") }));
    }
    record.data.members.forEach(function (member) {
      var heading = el("div", { class: "fw-semibold" }, [member.full_name + " ", el("span", {
        class: "small text-muted",
        text: member.relationship + (member.birth_year ? ", " + member.birth_year : "") + (member.life_status ? " · " + member.life_status : "")
      })]);
      var finding = record.findings[member.id] || "present";
      var group = el("div", { class: "btn-group btn-group-sm flex-wrap", role: "group" },
        radioGroup("m-" + member.id, choices.findings, finding, function (value) {
          var findings = Object.assign({}, record.findings);
          findings[member.id] = value;
          save({ findings: findings }).then(renderMembers);
        }));
      box.appendChild(el("div", { class: "mb-2 pb-2 border-bottom", "data-testid": "member", "data-name": member.full_name }, [
        el("div", { role: "radiogroup", "aria-label": member.full_name }, [heading, group]),
        memberWhere(member, finding),
        memberFacts(member)
      ]));
    });
  }

  // --- the outcome and the members' details (the online survey form's fields) ----------------

  function input(attrs, value, onInput) {
    var node = el("input", Object.assign({ class: "form-control", type: "text" }, attrs));
    node.value = value || "";
    node.addEventListener("input", function () { onInput(node.value); });
    return node;
  }

  function select(attrs, options, value, onChange, empty) {
    var node = el("select", Object.assign({ class: "form-select" }, attrs),
      [el("option", { value: "", text: empty || "—" })].concat(options.map(function (option) {
        return el("option", { value: String(option[0]), text: option[1] });
      })));
    node.value = value === null || value === undefined ? "" : String(value);
    node.addEventListener("change", function () { onChange(node.value); });
    return node;
  }

  function field(id, label, control, css) {
    control.id = id;
    return el("div", { class: css || "col-12" }, [el("label", { class: "form-label small mb-0", for: id, text: label }), control]);
  }

  var KK_INPUT = { inputmode: "numeric", autocomplete: "off", maxlength: "40" };

  function setDetail(memberId, key, value) {
    var details = Object.assign({}, record.details);
    details[memberId] = Object.assign({}, details[memberId] || {});
    details[memberId][key] = value;
    return save({ details: details });
  }

  // Moved to another KK (its KK number, the relationship to its head) or died: when.
  function memberWhere(member, finding) {
    var box = el("div", { class: "row g-2 mt-1" });
    var detail = record.details[member.id] || {};
    var id = member.id;
    if (finding === "moved_kk") {
      box.appendChild(field("mkk-" + id, text("member_kk"), input(KK_INPUT, detail.kk, function (value) {
        setDetail(id, "kk", value);
      }), "col-sm-5"));
      box.appendChild(field("mrel-" + id, text("member_relationship"), select({}, choices.relationships, detail.relationship,
        function (value) { setDetail(id, "relationship", value); }), "col-sm-4"));
    }
    if (finding === "moved_kk" || finding === "deceased") {
      box.appendChild(field("mon-" + id, text("member_on"), input({ type: "date" }, detail.on, function (value) {
        setDetail(id, "on", value);
      }), "col-sm-3"));
    }
    return box;
  }

  // What the registry knows of the member (the head's education and occupation too): the
  // surveyor confirms or corrects it; it is written to the person when the survey is validated.
  function memberFacts(member) {
    var detail = record.details[member.id] || {};
    var id = member.id;
    var rows = [];
    if (record.head && record.data.head && record.data.head.id === member.id) {
      rows.push(field("head-education", text("head_education"), input({ maxlength: "60" }, record.head.education, function (value) {
        save({ head: Object.assign({}, record.head, { education: value }) });
      }), "col-sm-6"));
      rows.push(field("head-occupation", text("head_occupation"), input({ maxlength: "80" }, record.head.occupation, function (value) {
        save({ head: Object.assign({}, record.head, { occupation: value }) });
      }), "col-sm-6"));
    }
    rows.push(field("ill-" + id, text("illness"), input({ maxlength: "255" }, detail.illness, function (value) {
      setDetail(id, "illness", value);
    })));
    var kinds = detail.disability || [];
    rows.push(el("fieldset", { class: "col-12" }, [el("legend", { class: "form-label small mb-0", text: text("disability") })]
      .concat(choices.disabilities.map(function (option) {
        var boxId = "dis-" + id + "-" + option[0];
        var box = el("input", { class: "form-check-input", type: "checkbox", id: boxId, value: option[0],
          checked: kinds.indexOf(option[0]) !== -1 });
        box.addEventListener("change", function () {
          var now = ((record.details[id] || {}).disability || []).filter(function (kind) { return kind !== option[0]; });
          setDetail(id, "disability", box.checked ? now.concat([option[0]]) : now);
        });
        return el("div", { class: "form-check form-check-inline" }, [box, el("label", { class: "form-check-label small", for: boxId, text: option[1] })]);
      }))));
    return el("details", { class: "mt-1", "data-testid": "member-facts" }, [
      el("summary", { class: "small", text: text("facts") }),
      el("div", { class: "row g-2 mt-1" }, rows)
    ]);
  }

  function setOutcome(changes) {
    return save({ outcome: Object.assign({}, record.outcome, changes) });
  }

  function setSplit(index, key, value) {
    var splits = (record.outcome.splits || []).slice();
    while (splits.length <= index) {
      splits.push({ kk: "", head: "", address: "" });
    }
    splits[index] = Object.assign({}, splits[index]);
    splits[index][key] = value;
    return setOutcome({ splits: splits });
  }

  function renderOutcome() {
    var box = document.getElementById("offline-outcome");
    var outcome = record.outcome;
    var kind = outcome.kind || "found";
    box.textContent = "";
    box.appendChild(el("div", { class: "mb-2", role: "radiogroup", "aria-label": text("outcome") }, choices.outcomes.map(function (option) {
      var id = "outcome-" + option[0];
      var radio = el("input", { class: "form-check-input", type: "radio", name: "outcome", id: id, value: option[0],
        checked: kind === option[0] });
      radio.addEventListener("change", function () { setOutcome({ kind: option[0] }).then(renderOutcome); });
      return el("div", { class: "form-check" }, [radio, el("label", { class: "form-check-label", for: id, text: option[1] })]);
    })));
    var rows = [field("outcome-note", text("outcome_note"), input({ maxlength: "255" }, outcome.note, function (value) {
      setOutcome({ note: value });
    }))];
    if (kind === "moved") {
      rows.push(field("moved-village", text("moved_village"), select({}, choices.villages, outcome.moved_village, function (value) {
        setOutcome({ moved_village: value });
      }), "col-sm-6"));
      rows.push(field("moved-address", text("moved_address"), input({ maxlength: "255" }, outcome.moved_address, function (value) {
        setOutcome({ moved_address: value });
      }), "col-sm-6"));
      rows.push(field("moved-outside", text("moved_outside"), input({ maxlength: "150" }, outcome.moved_outside_place, function (value) {
        setOutcome({ moved_outside_place: value });
      })));
    } else if (kind === "duplicate") {
      rows.push(field("duplicate-kk", text("duplicate_kk"), input(KK_INPUT, outcome.duplicate_kk, function (value) {
        setOutcome({ duplicate_kk: value });
      })));
    } else if (kind === "split") {
      rows = rows.concat(splitRows());
    }
    box.appendChild(el("div", { class: "row g-2", "data-testid": "outcome-" + kind }, rows));
  }

  // Split: each new household's KK number, head and address; each member stays or leaves into one.
  function splitRows() {
    var members = record.data.members.map(function (member) { return [member.id, member.full_name]; });
    var splits = record.outcome.splits || [];
    var rows = [el("p", { class: "col-12 small text-muted mb-0", text: text("split_help") })];
    for (var index = 0; index < choices.splits; index += 1) {
      (function (i) {
        var split = splits[i] || {};
        var n = i + 1;
        rows.push(field("split-" + n + "-kk", text("split_kk", { n: n }), input(KK_INPUT, split.kk, function (value) {
          setSplit(i, "kk", value);
        }), "col-sm-4"));
        rows.push(field("split-" + n + "-head", text("split_head"), select({}, members, split.head, function (value) {
          setSplit(i, "head", value);
        }), "col-sm-4"));
        rows.push(field("split-" + n + "-address", text("split_address"), input({ maxlength: "255" }, split.address, function (value) {
          setSplit(i, "address", value);
        }), "col-sm-4"));
      })(index);
    }
    var newHouseholds = [];
    for (var n = 1; n <= choices.splits; n += 1) {
      newHouseholds.push([String(n), text("split_new", { n: n })]);
    }
    record.data.members.forEach(function (member) {
      var control = select({ "aria-label": text("split_to", { name: member.full_name }) }, newHouseholds,
        (record.details[member.id] || {}).split, function (value) { setDetail(member.id, "split", value); }, text("split_stays"));
      control.id = "split-to-" + member.id;
      rows.push(el("div", { class: "col-7 small align-self-center", text: member.full_name }));
      rows.push(el("div", { class: "col-5" }, [control]));
    });
    return rows;
  }

  // Enough for the chosen outcome to be finished (the office checks it again, with its reasons).
  function outcomeMissing() {
    var outcome = record.outcome;
    function filled(value) { return Boolean(String(value || "").trim()); }
    switch (outcome.kind) {
      case "not_found":
        return !filled(outcome.note);
      case "moved":
        return !((filled(outcome.moved_village) && filled(outcome.moved_address)) || filled(outcome.moved_outside_place));
      case "duplicate":
        return !filled(outcome.duplicate_kk);
      case "split":
        return !(outcome.splits || []).some(function (split) { return filled(split.kk) && filled(split.head); });
      default:
        return false;
    }
  }

  function outcomeText(outcome) {
    if (!outcome) {
      return "—";
    }
    var kind = outcome.kind || "found";
    var label = (choices.outcomes.filter(function (option) { return option[0] === kind; })[0] || [kind, kind])[1];
    var village = choices.villages.filter(function (option) { return String(option[0]) === String(outcome.moved_village); })[0];
    var more = [];
    if (kind === "not_found") {
      more = [outcome.note];
    } else if (kind === "moved") {
      more = [village ? village[1] : "", outcome.moved_address, outcome.moved_outside_place];
    } else if (kind === "duplicate") {
      more = [outcome.duplicate_kk ? "KK " + outcome.duplicate_kk : ""];
    } else if (kind === "split") {
      more = (outcome.splits || []).map(function (split) { return split.kk ? "KK " + split.kk : ""; });
    }
    more = more.filter(function (item) { return item; });
    return label + (more.length ? ": " + more.join(", ") : "");
  }

  function renderNewborns() {
    var list = document.getElementById("offline-newborns");
    list.textContent = "";
    record.newborns.forEach(function (newborn, index) {
      var remove = el("button", { type: "button", class: "btn btn-link btn-sm p-0 ms-2", text: text("newborn_remove") });
      remove.addEventListener("click", function () {
        save({ newborns: record.newborns.filter(function (_item, i) { return i !== index; }) }).then(renderNewborns);
      });
      list.appendChild(el("li", { "data-testid": "newborn" }, [
        "+ " + newborn.full_name + " (" + text("newborn") + (newborn.birth_date ? ", " + newborn.birth_date : "") + ")", remove
      ]));
    });
  }

  function renderQuestions() {
    var box = document.getElementById("offline-questions");
    var prefilled = record.data.prefilled || {};
    var numbers = scorecard.indicators.filter(function (indicator) {
      return prefilled[indicator.code] !== undefined;
    }).map(function (indicator) { return indicator.position; });
    var note = document.getElementById("offline-prefilled");
    note.textContent = text("prefilled", { numbers: numbers.join(", ") });
    note.hidden = !numbers.length;
    box.textContent = "";
    scorecard.indicators.forEach(function (indicator) {
      var options = indicator.options.map(function (option) {
        var id = "q-" + indicator.code + "-" + option[0];
        var input = el("input", { class: "form-check-input", type: "radio", name: "q-" + indicator.code, id: id,
          value: option[0], checked: record.answers[indicator.code] === option[0] });
        input.addEventListener("change", function () {
          var answers = Object.assign({}, record.answers);
          answers[indicator.code] = option[0];
          save({ answers: answers });
        });
        return el("div", { class: "form-check py-1" }, [input, el("label", { class: "form-check-label w-100", for: id, text: option[1] })]);
      });
      box.appendChild(el("fieldset", { class: "card mb-2", "data-testid": "question", "data-code": indicator.code }, [
        el("legend", { class: "card-header h6 mb-0 fs-6", text: indicator.position + ". " + indicator.text }),
        el("div", { class: "card-body py-2" }, options)
      ]));
    });
  }

  // A large photo is made smaller on the phone (at most 1600 px, JPEG) before it is kept.
  function downscale(file) {
    var MAX = 1600;
    if (!window.createImageBitmap) {
      return Promise.resolve(file);
    }
    return window.createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
      var scale = Math.min(1, MAX / Math.max(bitmap.width, bitmap.height));
      if (scale === 1 && file.size < 1024 * 1024 && file.type === "image/jpeg") {
        return file;
      }
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) { resolve(blob || file); }, "image/jpeg", 0.85);
      });
    }, function () { return file; });
  }

  var previews = [];

  function renderPhotos() {
    var box = document.getElementById("offline-photos");
    previews.forEach(function (url) { URL.revokeObjectURL(url); });
    previews = [];
    return store.photosOf(record.id).then(function (photos) {
      box.textContent = "";
      choices.photos.forEach(function (kind) {
        var id = "photo-" + kind[0];
        var input = el("input", { class: "form-control", type: "file", id: id, accept: "image/*", capture: "environment",
          "data-testid": "photo-" + kind[0] });
        var slot = el("div", { class: "mb-3", "data-testid": "photo-slot", "data-kind": kind[0] }, [
          el("label", { class: "form-label", for: id, text: kind[1] })
        ]);
        var onPhone = photos.filter(function (photo) { return photo.kind === kind[0]; })[0];
        if (onPhone) {
          var url = URL.createObjectURL(onPhone.blob);
          previews.push(url);
          slot.appendChild(el("div", { class: "mb-1" }, [
            el("img", { src: url, alt: kind[1], class: "img-thumbnail", width: "120", "data-testid": "photo-preview" }),
            " ", el("span", { class: "small text-muted", text: text("photo_on_phone") })
          ]));
        } else if ((record.data.photos || []).indexOf(kind[0]) !== -1) {
          slot.appendChild(el("p", { class: "small text-muted mb-1", text: text("photo_on_server") }));
        }
        input.addEventListener("change", function () {
          if (!input.files.length) {
            return;
          }
          downscale(input.files[0]).then(function (blob) {
            return store.savePhoto(record.id, kind[0], blob);
          }).then(function () {
            record.state = record.state === "conflict" ? "conflict" : "phone";
            return renderPhotos();
          });
        });
        slot.appendChild(input);
        box.appendChild(slot);
      });
      return photos;
    });
  }

  function askLocation() {
    var status = document.getElementById("offline-location");
    if (record.location) {
      status.textContent = text("location_found") + ": " + record.location.latitude.toFixed(5) + ", " + record.location.longitude.toFixed(5);
      return;
    }
    status.textContent = text("location_none");
    if (!navigator.geolocation) {
      return;
    }
    status.textContent = text("location_waiting");
    navigator.geolocation.getCurrentPosition(function (position) {
      record.location = {
        latitude: Number(position.coords.latitude.toFixed(6)),
        longitude: Number(position.coords.longitude.toFixed(6)),
        accuracy: Math.round(position.coords.accuracy)
      };
      store.note(record.id, { location: record.location }).then(askLocation);
    }, function () {
      status.textContent = text("location_denied");
    }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
  }

  function renderConflict() {
    var box = document.getElementById("offline-conflict");
    box.textContent = "";
    if (record.state !== "conflict" || !record.conflict) {
      return;
    }
    var server = record.conflict;
    // the office's copy as the phone would take it: the registry's answers chosen where none is saved
    var serverAnswers = Object.assign({}, server.prefilled || {}, server.answers);
    var rows = scorecard.indicators.filter(function (indicator) {
      return record.answers[indicator.code] !== serverAnswers[indicator.code];
    }).map(function (indicator) {
      function label(value) {
        var option = indicator.options.filter(function (o) { return o[0] === value; })[0];
        return option ? option[1] : "—";
      }
      return el("tr", {}, [
        el("td", { text: indicator.code }),
        el("td", { text: label(record.answers[indicator.code]) }),
        el("td", { text: label(serverAnswers[indicator.code]) })
      ]);
    });
    rows.unshift(el("tr", { "data-testid": "conflict-outcome" }, [
      el("td", { text: text("outcome") }), el("td", { text: outcomeText(record.outcome) }), el("td", { text: outcomeText(server.outcome) })
    ]));
    if ((record.notes || "") !== (server.notes || "")) {
      rows.push(el("tr", {}, [el("td", { text: text("conflict_notes") }), el("td", { text: record.notes }), el("td", { text: server.notes })]));
    }
    var panel = el("div", { class: "alert alert-danger", "data-testid": "conflict" }, [
      el("p", { text: text("conflict_title", { status: server.status_label }) })
    ]);
    if (server.return_note) {
      panel.appendChild(el("p", { "data-testid": "conflict-note" }, [el("strong", { text: text("returned") }), " " + server.return_note]));
    }
    if (rows.length) {
      panel.appendChild(el("div", { class: "table-responsive" }, [el("table", { class: "table table-sm bg-white", "data-testid": "conflict-table" }, [
        el("thead", {}, [el("tr", {}, [
          el("th", { text: text("conflict_question") }), el("th", { text: text("conflict_mine") }), el("th", { text: text("conflict_server") })
        ])]),
        el("tbody", {}, rows)
      ])]));
    }
    var open = store.OPEN.indexOf(server.status) !== -1;
    if (!open) {
      panel.appendChild(el("p", { text: text("closed_at_office", { status: server.status_label }) }));
    }
    var keep = el("button", { type: "button", class: "btn btn-primary", "data-testid": "keep-mine", text: text("keep_mine"), disabled: !open });
    var take = el("button", { type: "button", class: "btn btn-outline-dark", "data-testid": "take-servers", text: text("take_servers") });
    keep.addEventListener("click", function () {
      store.keepMine(record.id).then(function () { location.href = store.urls.list; });
    });
    take.addEventListener("click", function () {
      if (window.confirm(text("take_confirm"))) {
        store.takeServers(record.id).then(function () { location.href = store.urls.list; });
      }
    });
    panel.appendChild(el("div", { class: "d-flex flex-wrap gap-2" }, [keep, take]));
    box.appendChild(panel);
  }

  function missing() {
    return scorecard.indicators.filter(function (indicator) {
      return !record.answers[indicator.code];
    }).map(function (indicator) { return indicator.code; });
  }

  function surveyPage() {
    var id = new URLSearchParams(location.search).get("a");
    Promise.all([store.household(id), store.meta("choices")]).then(function (results) {
      record = results[0];
      choices = results[1];
      if (!record || record.forgotten || !choices) {
        message("warning", text("not_found"));
        return undefined;
      }
      if (!record.outcome) {  // downloaded before the phone knew outcomes
        record.outcome = store.outcomeOf(record.data);
        record.details = record.details || {};
      }
      return store.scorecard(record.data.scorecard).then(function (found) {
        scorecard = found;
        var sex = document.getElementById("newborn-sex");
        choices.sexes.forEach(function (option) { sex.appendChild(el("option", { value: option[0], text: option[1] })); });
        renderHeader();
        renderConflict();
        renderOutcome();
        renderMembers();
        renderNewborns();
        renderQuestions();
        renderPhotos();
        var notes = document.getElementById("offline-notes");
        notes.value = record.notes || "";
        notes.addEventListener("input", function () { save({ notes: notes.value }); });
        askLocation();
        document.getElementById("offline-form").hidden = false;
      });
    });
    document.getElementById("newborn-add").addEventListener("click", function () {
      var name = document.getElementById("newborn-name");
      var sex = document.getElementById("newborn-sex");
      var birth = document.getElementById("newborn-birth-date");
      if (!name.value.trim() || !sex.value) {
        message("danger", text("newborn_missing"));
        return;
      }
      message("", "");
      save({ newborns: record.newborns.concat([{ full_name: name.value.trim(), sex: sex.value, birth_date: birth.value }]) })
        .then(function () {
          name.value = "";
          sex.value = "";
          birth.value = "";
          renderNewborns();
        });
    });
    document.getElementById("offline-form").addEventListener("submit", function (event) {
      event.preventDefault();
      save({ notes: document.getElementById("offline-notes").value }).then(function () {
        message("success", text("saved"));
        window.scrollTo(0, 0);
      });
    });
    document.getElementById("offline-finish").addEventListener("click", function () {
      // only a household found as listed needs every answer (moved or split may be scored too)
      var open = (record.outcome.kind || "found") === "found" ? missing() : [];
      if (outcomeMissing()) {
        message("danger", text("outcome_missing"));
        window.scrollTo(0, 0);
        return;
      }
      if (open.length) {
        message("danger", text("incomplete", { codes: open.join(", ") }));
        window.scrollTo(0, 0);
        return;
      }
      store.photosOf(record.id).then(function (photos) {
        if (record.outcome.kind !== "duplicate" && !photos.length && !(record.data.photos || []).length) {
          message("danger", text("no_photo"));
          window.scrollTo(0, 0);
          return undefined;
        }
        return save({ finished: true, notes: document.getElementById("offline-notes").value }).then(function () {
          location.href = store.urls.list + "?finished=" + record.id;
        });
      });
    });
  }

  if (document.getElementById("offline-list")) {
    listPage();
  } else if (document.getElementById("offline-survey")) {
    surveyPage();
  }
})();
