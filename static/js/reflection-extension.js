/* Live preview of a reflection-period extension (progressive enhancement; the server stays the authority).
 *
 * The form carries the period's current length and deadline and the longest extension the 100-day rule
 * allows (worked out server-side by reflection.dates.extension_limit), and the texts in the reader's
 * language, as data attributes. Each day granted moves the deadline one day, so the preview only adds days;
 * on Save the server checks again. Without JavaScript the "Preview" button asks the server instead.
 */
(function () {
  "use strict";
  var form = document.querySelector("form[data-extension-preview]");
  if (!form) return;
  var data = form.dataset;
  var out = document.getElementById("extension-preview");
  var days = form.querySelector("[name=new_total_days]");
  var date = form.querySelector("[name=new_ends_on]");
  var modes = form.querySelectorAll("[name=extend_by]");
  var currentTotal = parseInt(data.currentTotal, 10);
  var maxTotal = parseInt(data.maxTotal, 10);
  var DAY = 86400000;

  function parseDay(iso) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(iso || "")) return null;
    var value = new Date(iso + "T00:00:00Z");
    return isNaN(value.getTime()) ? null : value;
  }
  var currentDeadline = parseDay(data.currentDeadline);
  var latest = parseDay(data.latest);
  var formatter = new Intl.DateTimeFormat(data.locale, {
    day: "numeric", month: data.month, year: "numeric", timeZone: "UTC"
  });
  function show(day) { return day ? formatter.format(day) : ""; }
  function fill(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (all, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : all;
    });
  }
  function mode() {
    for (var i = 0; i < modes.length; i++) if (modes[i].checked) return modes[i].value;
    return "days";
  }
  function say(text) {
    out.textContent = text;
    out.hidden = !text;
  }
  function tooLong() {
    return latest
      ? fill(data.textTooLong, { max: maxTotal, latest: show(latest) })
      : fill(data.textTooLongPostponed, { max: maxTotal });
  }

  function update() {
    var byDate = mode() === "date";
    form.querySelectorAll("[data-extend-field]").forEach(function (box) {
      box.hidden = box.getAttribute("data-extend-field") !== (byDate ? "date" : "days");
    });
    var total = null;
    if (byDate) {
      if (!currentDeadline) return say(data.textPostponed);
      var wanted = parseDay(date.value);
      if (!wanted) return say("");
      total = currentTotal + Math.round((wanted - currentDeadline) / DAY);
      if (total <= currentTotal) return say(data.textNotLater);
    } else {
      if (!/^\d{1,4}$/.test(days.value.trim())) return say("");
      total = parseInt(days.value, 10);
      if (total <= currentTotal) return say(fill(data.textNotLonger, { days: currentTotal }));
    }
    if (total > maxTotal) return say(tooLong());
    if (!currentDeadline) return say(fill(data.textPostponedDays, { days: total }));
    var deadline = new Date(currentDeadline.getTime() + (total - currentTotal) * DAY);
    say(fill(data.textPreviewDays, { day: show(deadline), days: total }));
  }

  form.addEventListener("input", update);
  form.addEventListener("change", update);
  update();
})();
