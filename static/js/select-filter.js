/* Progressive enhancement for long <select> lists (e.g. nationality): put a text box above every
   select[data-filterable] that hides the options not matching what is typed. Without JavaScript the
   plain select still works. No dependencies. */
(function () {
  "use strict";

  function normalise(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
  }

  function enhance(select, index) {
    var options = Array.prototype.slice.call(select.options);
    var input = document.createElement("input");
    input.type = "search";
    input.className = "select-filter";
    input.id = (select.id || "select-filter-" + index) + "_filter";
    input.setAttribute("autocomplete", "off");
    input.setAttribute("aria-controls", select.id);
    var label = select.labels && select.labels[0] ? select.labels[0].textContent.trim() : "";
    // The page gives the translated hint in data-filter-placeholder.
    var hint = select.getAttribute("data-filter-placeholder") || "Filter";
    input.placeholder = hint;
    input.setAttribute("aria-label", label ? label + ": " + hint : hint);
    select.parentNode.insertBefore(input, select);

    input.addEventListener("input", function () {
      var query = normalise(input.value);
      var firstMatch = null;
      options.forEach(function (option) {
        var matches = !query || option.value === "" ||
          normalise(option.text).indexOf(query) !== -1 || normalise(option.value) === query;
        option.hidden = !matches;
        option.disabled = !matches && !option.selected;
        if (matches && option.value !== "" && firstMatch === null) { firstMatch = option; }
      });
      // Keep the choice visible: if the chosen option no longer matches, choose the first that does.
      var chosen = select.options[select.selectedIndex];
      if (query && firstMatch && (!chosen || chosen.hidden || chosen.value === "")) {
        firstMatch.selected = true;
        select.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
    // Enter in the filter box picks the match instead of submitting the whole form.
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); select.focus(); }
    });
  }

  function init() {
    var selects = document.querySelectorAll("select[data-filterable]");
    Array.prototype.forEach.call(selects, enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
