/* Progressive enhancement of the outreach contact form (form[data-contact-form]). Without JavaScript the
   form works the same: an empty time means "now" and the server refuses a Save sent twice.
   - Opening "Not now?" fills the empty time with the current local time (and caps it at now), so that
     the worker only has to move it back.
   - A second tap on Save while the first is on its way is ignored. */
(function () {
  "use strict";

  function pad(number) { return (number < 10 ? "0" : "") + number; }

  function localNow() {
    var now = new Date();
    return now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate()) +
      "T" + pad(now.getHours()) + ":" + pad(now.getMinutes());
  }

  function enhance(form) {
    var time = form.querySelector("[data-time]");
    var input = time && time.querySelector("input[type=datetime-local]");
    if (input) {
      input.max = localNow();
      time.addEventListener("toggle", function () {
        if (time.open && !input.value) { input.value = localNow(); }
        input.max = localNow();
      });
    }
    var sending = false;
    form.addEventListener("submit", function (event) {
      if (sending) { event.preventDefault(); return; }
      sending = true;
      form.setAttribute("aria-busy", "true");
      // If the page is kept (back/forward cache) or the network fails, allow trying again.
      window.setTimeout(function () { sending = false; form.removeAttribute("aria-busy"); }, 8000);
    });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-contact-form]"), enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
