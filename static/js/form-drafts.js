/* Drafts of long forms in the browser while typing (issue 18); opt in with <form data-draft>.
   What is stored, and where (see README, "What is kept where"):
   - in sessionStorage only (this tab; gone when the tab or the browser is closed), under
     "cmm-draft:<hashed user id>:<path>#<form number>", so that another user of the browser never gets it;
   - the form's fields as typed, except passwords, codes, files, hidden fields (the CSRF token, the form
     token) and the fields named in the form's data-draft-exclude (identifying details);
   - removed when the form was saved (the next page says so, or is another page), at logout, and after 24
     hours; without JavaScript nothing is stored.
   A form the server sends back (with errors, or filled in from a kept submission) is not overwritten. */
(function () {
  "use strict";

  var PREFIX = "cmm-draft:";
  var MAX_AGE = 24 * 60 * 60 * 1000;
  var SKIP_TYPES = ["password", "hidden", "file", "submit", "button", "reset", "image"];
  var SKIP_AUTOCOMPLETE = ["one-time-code", "current-password", "new-password"];
  var config = document.querySelector("[data-drafts]");
  var store;
  try { store = window.sessionStorage; store.getItem(PREFIX); } catch (error) { return; }
  if (!config) { return; }
  var user = config.getAttribute("data-user") || "";

  function keys() {
    var found = [];
    for (var i = 0; i < store.length; i += 1) {
      var key = store.key(i);
      if (key && key.indexOf(PREFIX) === 0) { found.push(key); }
    }
    return found;
  }

  function read(key) {
    try { return JSON.parse(store.getItem(key)); } catch (error) { return null; }
  }

  function write(key, draft) {
    try { store.setItem(key, JSON.stringify(draft)); } catch (error) { /* full or refused: no draft */ }
  }

  function clearAll() { keys().forEach(function (key) { store.removeItem(key); }); }

  // Drafts past 24 hours go, whoever's they are.
  var now = Date.now();
  keys().forEach(function (key) {
    var draft = read(key);
    if (!draft || !(now - draft.savedAt < MAX_AGE)) { store.removeItem(key); }
  });
  // Logging out clears every draft of this browser tab.
  Array.prototype.forEach.call(document.querySelectorAll("form[action]"), function (form) {
    if (config.getAttribute("data-logout") && form.getAttribute("action") === config.getAttribute("data-logout")) {
      form.addEventListener("submit", clearAll);
    }
  });
  if (!user) { return; }  // the login page: drafts wait for their user

  var here = window.location.pathname + window.location.search;
  var onAccountPage = window.location.pathname.indexOf("/accounts/") === 0;
  var saved = document.querySelector(".messages .message--success") !== null;
  var ownPrefix = PREFIX + user + ":";

  function hasErrors(form) {
    return form.querySelector("[data-error-summary], .form-errors, .field--error, .qf__group--error") !== null;
  }

  // A form sent from this tab: saved if the page says so or is another page (not the login or second step).
  keys().forEach(function (key) {
    if (key.indexOf(ownPrefix) !== 0) { return; }
    var draft = read(key);
    if (!draft || !draft.submittedAt) { return; }
    var path = key.slice(ownPrefix.length).replace(/#\d+$/, "");
    if (saved || (path !== here && !onAccountPage)) { store.removeItem(key); }
  });

  function excluded(form) {
    return (form.getAttribute("data-draft-exclude") || "").split(/\s+/).filter(Boolean);
  }

  function draftable(form, element) {
    if (!element.name || element.disabled) { return false; }
    if (SKIP_TYPES.indexOf(element.type) !== -1) { return false; }
    if (SKIP_AUTOCOMPLETE.indexOf(element.getAttribute("autocomplete")) !== -1) { return false; }
    if (excluded(form).indexOf(element.name) !== -1) { return false; }
    return !element.closest("[data-draft-exclude]:not(form)");
  }

  function collect(form) {
    var fields = [];
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!draftable(form, element)) { return; }
      if (element.type === "checkbox" || element.type === "radio") {
        if (element.checked) { fields.push([element.name, element.value]); }
      } else if (element.tagName === "SELECT" && element.multiple) {
        Array.prototype.forEach.call(element.selectedOptions, function (option) {
          fields.push([element.name, option.value]);
        });
      } else {
        fields.push([element.name, element.value]);
      }
    });
    return fields;
  }

  function apply(form, fields) {
    var byName = {};
    fields.forEach(function (pair) { (byName[pair[0]] = byName[pair[0]] || []).push(pair[1]); });
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!draftable(form, element)) { return; }
      var values = byName[element.name] || [];
      if (element.type === "checkbox" || element.type === "radio") {
        element.checked = values.indexOf(element.value) !== -1;
      } else if (element.tagName === "SELECT" && element.multiple) {
        Array.prototype.forEach.call(element.options, function (option) {
          option.selected = values.indexOf(option.value) !== -1;
        });
      } else if (values.length) {
        element.value = values.shift();
        byName[element.name] = values;
      }
      if (values.length && element.closest("details")) { element.closest("details").open = true; }
    });
  }

  function notice(form, key) {
    var box = document.createElement("div");
    box.className = "draft-notice";
    box.setAttribute("role", "status");
    var text = document.createElement("p");
    text.textContent = config.getAttribute("data-text-restored") || "";
    var discard = document.createElement("button");
    discard.type = "button";
    discard.className = "button";
    discard.textContent = config.getAttribute("data-text-discard") || "";
    discard.addEventListener("click", function () {
      store.removeItem(key);
      form.reset();  // back to what the server sent
      box.parentNode.removeChild(box);
    });
    box.appendChild(text);
    box.appendChild(discard);
    form.insertBefore(box, form.firstChild);
  }

  function enhance(form, index) {
    var key = ownPrefix + here + "#" + index;
    var draft = read(key);
    var serverFilled = config.getAttribute("data-kept") === "1" || hasErrors(form);
    if (draft && serverFilled) {
      delete draft.submittedAt;  // the server sent the form back: what it shows is the newest
      write(key, draft);
    } else if (draft && draft.fields && draft.fields.length && !draft.submittedAt) {
      apply(form, draft.fields);
      notice(form, key);
    }
    var timer = null;
    function save() {
      window.clearTimeout(timer);
      write(key, { savedAt: Date.now(), fields: collect(form) });
    }
    form.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(save, 400);
    });
    form.addEventListener("change", save);
    form.addEventListener("submit", function () {
      write(key, { savedAt: Date.now(), submittedAt: Date.now(), fields: collect(form) });
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("form[data-draft]"), enhance);
})();
