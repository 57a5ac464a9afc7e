/* Progressive enhancement: warn while typing when a field of a referral group (minutes, agenda, action,
   topic) holds something shaped like a case number. The pattern comes from the server (data-case-check, the
   same rule that refuses it on saving); the translated warning from the form's data-case-warning. Without
   JavaScript the server still refuses the text with the message next to the field. */
(function () {
  "use strict";

  function found(pattern, text) {
    var numbers = [];
    var regex = new RegExp(pattern, "g");
    var match;
    while ((match = regex.exec(text)) !== null) {
      var number = match[1].trim();
      if (numbers.indexOf(number) === -1) { numbers.push(number); }
      if (match.index === regex.lastIndex) { regex.lastIndex += 1; }
    }
    return numbers;
  }

  function enhance(input) {
    var form = input.form;
    var message = (form && form.getAttribute("data-case-warning")) || "";
    var pattern = input.getAttribute("data-case-check");
    var field = input.closest(".field") || input.parentNode;
    var warning = document.createElement("p");
    warning.className = "field__warning";
    warning.id = input.id + "_casewarning";
    warning.setAttribute("role", "status");
    warning.hidden = true;
    input.insertAdjacentElement("afterend", warning);

    function check() {
      var numbers;
      try {
        numbers = found(pattern, input.value);
      } catch (error) {
        return;  // a pattern this browser cannot read: the server rule still holds
      }
      var show = numbers.length > 0;
      warning.hidden = !show;
      warning.textContent = show ? message + " " : "";
      if (show) {
        var strong = document.createElement("strong");
        strong.textContent = numbers.join(", ");
        warning.appendChild(strong);
      }
      field.classList.toggle("field--warning", show);
      var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
        return id && id !== warning.id;
      });
      if (show) { described.push(warning.id); }
      if (described.length) {
        input.setAttribute("aria-describedby", described.join(" "));
      } else {
        input.removeAttribute("aria-describedby");
      }
    }

    input.addEventListener("input", check);
    check();
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-case-check]"), enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
