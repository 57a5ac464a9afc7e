/* Progressive enhancement of forms that failed (issue 18). Without JavaScript the error summary
   (templates/includes/error_summary.html) is the first thing of the form and each message sits next to its
   field. With it:
   - a form with marked fields but no summary of its own gets one, built from the messages on the page;
   - the focus moves to the first summary (it has tabindex="-1"), so a phone scrolls to it and a screen
     reader reads it;
   - a link of the summary moves the focus into its field (a fragment link alone only scrolls);
   - each field's messages are tied to its input with aria-describedby. */
(function () {
  "use strict";

  var texts = document.querySelector("[data-error-texts]");

  function focusable(target) {
    if (target.matches("input, select, textarea, button")) { return target; }
    return target.querySelector("input:not([type=hidden]), select, textarea") || target;
  }

  function describe(form) {
    Array.prototype.forEach.call(form.querySelectorAll(".field--error"), function (field) {
      var ids = Array.prototype.map.call(field.querySelectorAll(".field__error[id]"), function (error) {
        return error.id;
      });
      if (!ids.length) { return; }
      Array.prototype.forEach.call(field.querySelectorAll("input, select, textarea"), function (input) {
        var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
        ids.forEach(function (id) { if (described.indexOf(id) === -1) { described.push(id); } });
        input.setAttribute("aria-describedby", described.join(" "));
        input.setAttribute("aria-invalid", "true");
      });
    });
  }

  function build(form) {
    var fields = form.querySelectorAll(".field--error, .qf__group--error");
    if (!fields.length) { return null; }
    var summary = document.createElement("div");
    summary.className = "form-errors error-summary";
    summary.setAttribute("role", "alert");
    summary.setAttribute("tabindex", "-1");
    summary.setAttribute("data-error-summary", "");
    var title = document.createElement("p");
    title.className = "error-summary__title";
    var strong = document.createElement("strong");
    strong.textContent = (texts && texts.getAttribute("data-title")) || "";
    title.appendChild(strong);
    summary.appendChild(title);
    var list = document.createElement("ul");
    list.className = "error-summary__list";
    Array.prototype.forEach.call(fields, function (field) {
      var error = field.querySelector(".field__error");
      var input = field.querySelector("input:not([type=hidden]), select, textarea");
      var label = field.querySelector("legend, label");
      if (!error || !input) { return; }
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = "#" + (input.id || "");
      link.textContent = label ? label.textContent.replace(/\s*\*\s*$/, "").trim() : input.name;
      item.appendChild(link);
      item.appendChild(document.createTextNode(": " + error.textContent.trim()));
      list.appendChild(item);
    });
    summary.appendChild(list);
    // An existing box of form-wide messages is replaced by the summary, which repeats them.
    var existing = form.querySelector(".form-errors");
    if (existing) {
      Array.prototype.slice.call(existing.childNodes).reverse().forEach(function (node) {
        if (node.nodeType === 1 && node.tagName === "P") {
          var wide = document.createElement("li");
          wide.textContent = node.textContent;
          list.insertBefore(wide, list.firstChild);
        }
      });
      existing.parentNode.replaceChild(summary, existing);
    } else {
      var first = form.querySelector("input:not([type=hidden]), select, textarea, fieldset, section, .field");
      var anchor = first;
      while (anchor && anchor.parentNode !== form) { anchor = anchor.parentNode; }
      form.insertBefore(summary, anchor || form.firstChild);
    }
    return summary;
  }

  function init() {
    var first = null;
    Array.prototype.forEach.call(document.querySelectorAll("main form"), function (form) {
      var summary = form.querySelector("[data-error-summary]");
      if (!summary) {
        var box = form.querySelector(".form-errors");
        if (form.querySelector(".field--error, .qf__group--error")) {
          summary = box && box.querySelector("a[href^='#']") ? box : build(form);
        } else {
          summary = box;
        }
        if (summary && !summary.hasAttribute("tabindex")) { summary.setAttribute("tabindex", "-1"); }
      }
      if (!summary) { return; }
      describe(form);
      summary.addEventListener("click", function (event) {
        var link = event.target.closest("a[href^='#']");
        if (!link) { return; }
        var target = document.getElementById(link.getAttribute("href").slice(1));
        if (!target) { return; }
        event.preventDefault();
        var details = target.closest("details");
        if (details) { details.open = true; }
        var input = focusable(target);
        input.focus();
        if (input.scrollIntoView) { input.scrollIntoView({ block: "center" }); }
      });
      if (!first) { first = summary; }
    });
    if (first) {
      first.focus();
      if (first.scrollIntoView) { first.scrollIntoView({ block: "start" }); }
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
