/* Warn before the idle timeout and offer to stay logged in (issue 18). Progressive enhancement: without
   JavaScript the session simply ends after SESSION_IDLE_MINUTES, and a form sent then is kept by the server
   (cmm.kept_forms) until its author has logged in again.
   - The server renders the dialog (role="alertdialog", hidden) with its translated texts and the session's
     times in data attributes: the idle timeout, the seconds left before the absolute end of the login, and
     how early to warn.
   - Typing or tapping on the page counts as activity: at most every few minutes it renews the session in the
     background (POST to the keep-alive endpoint with the page's CSRF token), so that a long note being
     typed is never cut off.
   - Otherwise, `warn` seconds before the end, the dialog appears and takes the focus; "Stay logged in" renews
     the session, and the focus goes back to where it was.
   - Tabs of the same browser share the time of the last renewal through localStorage (a time, nothing
     else), so a tab left open does not warn while another is in use. */
(function () {
  "use strict";

  var box = document.querySelector("[data-session-keeper]");
  if (!box || !window.fetch) { return; }

  var STORE = "cmm-session-renewed-at";
  var ACTIVITY_RENEW_MS = 5 * 60 * 1000;
  var idle = parseInt(box.getAttribute("data-idle"), 10) * 1000;
  var warn = parseInt(box.getAttribute("data-warn"), 10) * 1000;
  var absoluteEnd = Date.now() + parseInt(box.getAttribute("data-ends-in"), 10) * 1000;
  if (!(idle > 0)) { return; }
  if (!(warn > 0) || warn >= idle) { warn = Math.floor(idle / 4); }

  var text = box.querySelector("#session-warning-text");
  var title = box.querySelector("#session-warning-title");
  var stay = box.querySelector("[data-stay]");
  var dismiss = box.querySelector("[data-dismiss]");
  var titleWarn = title.textContent;
  var renewedAt = Date.now();
  var lastActivity = 0;
  var ended = false;
  var dismissedAbsolute = false;
  var returnFocus = null;
  var timer = null;

  function shared() {
    try { return parseInt(window.localStorage.getItem(STORE), 10) || 0; } catch (error) { return 0; }
  }

  function share(time) {
    try { window.localStorage.setItem(STORE, String(time)); } catch (error) { /* private mode */ }
  }

  function clock(time) {
    var date = new Date(time);
    var lang = document.documentElement.lang || undefined;
    return date.toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit", hour12: false });
  }

  function idleEnd() { return Math.max(renewedAt, shared()) + idle; }

  function show(kind, end) {
    var message = box.getAttribute("data-text-" + kind) || "";
    text.textContent = message.replace("%(time)s", end ? clock(end) : "");
    title.textContent = kind === "ended" ? box.getAttribute("data-title-ended") : titleWarn;
    stay.hidden = kind !== "idle";
    if (box.hidden) {
      returnFocus = document.activeElement;
      box.hidden = false;
    }
    (stay.hidden ? dismiss : stay).focus();
  }

  function hide() {
    if (box.hidden) { return; }
    box.hidden = true;
    if (returnFocus && returnFocus.focus && document.contains(returnFocus)) { returnFocus.focus(); }
    returnFocus = null;
  }

  function renew(quiet) {
    return window.fetch(box.getAttribute("data-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": box.getAttribute("data-csrf"), "Accept": "application/json" },
    }).then(function (response) {
      if (response.status === 401 || response.status === 403) { throw new Error("ended"); }
      if (!response.ok) { throw new Error("failed"); }
      return response.json();
    }).then(function (data) {
      renewedAt = Date.now();
      share(renewedAt);
      absoluteEnd = renewedAt + data.ends_in_seconds * 1000;
      if (!quiet) { hide(); }
      schedule();
    }).catch(function (error) {
      // Logged out (401/403): say so. Offline: the next activity or check tries again.
      if (error.message === "ended") { ended = true; show("ended"); } else { renewedAt = shared(); }
    });
  }

  function check() {
    if (ended) { return; }
    var now = Date.now();
    var end = Math.min(idleEnd(), absoluteEnd);
    if (now >= end) {
      ended = true;
      show("ended");
      return;
    }
    if (absoluteEnd <= idleEnd() && absoluteEnd - now <= Math.max(warn, 10 * 60 * 1000)) {
      if (!dismissedAbsolute) { show("absolute", absoluteEnd); }
    } else if (idleEnd() - now <= warn) {
      if (lastActivity > now - warn) {
        renew(true);  // in use: keep going without asking
      } else {
        show("idle", idleEnd());
      }
    } else if (!box.hidden && !ended) {
      hide();  // another tab renewed the session
    }
    schedule();
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(check, 15 * 1000);
  }

  function activity() {
    var now = Date.now();
    lastActivity = now;
    if (!ended && box.hidden && now - Math.max(renewedAt, shared()) > ACTIVITY_RENEW_MS) {
      renewedAt = now;  // at most one renewal on its way
      renew(true);
    }
  }

  stay.addEventListener("click", function () { renew(false); });
  dismiss.addEventListener("click", function () {
    if (!stay.hidden) { lastActivity = 0; }
    dismissedAbsolute = true;
    hide();
  });
  box.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { dismiss.click(); }
  });
  ["input", "keydown", "pointerdown"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      if (!box.contains(event.target)) { activity(); }
    }, { passive: true, capture: true });
  });
  window.addEventListener("storage", function (event) {
    if (event.key === STORE) { check(); }
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { check(); }
  });

  share(renewedAt);
  schedule();
})();
