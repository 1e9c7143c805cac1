// Pandu's own behaviour. No inline scripts: the Content-Security-Policy forbids them.
(function () {
  "use strict";
  // Buttons and forms with data-confirm ask before a destructive action.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });
  // htmx sends the CSRF token from the cookie-less meta of Django's form token.
  document.addEventListener("htmx:configRequest", function (event) {
    var token = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (token) {
      event.detail.headers["X-CSRFToken"] = token.value;
    }
  });
  // A poll (hx-trigger "every ...") is no person at the screen: it carries X-Pandu-Poll, and
  // the server does not count it as activity, so an unattended screen is still signed out
  // after the idle time (pandu/sessions.py).
  document.addEventListener("htmx:configRequest", function (event) {
    var trigger = (event.detail.elt && event.detail.elt.getAttribute("hx-trigger")) || "";
    if (/\bevery\b/.test(trigger)) {
      event.detail.headers["X-Pandu-Poll"] = "true";
    }
  });
  // A refusal that says why (429: too many searches) is shown in place like any answer.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status === 429) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  // A survey sent to the office leaves no draft on the phone: the page after it names the copy
  // kept in this browser, and it goes.
  Array.prototype.forEach.call(document.querySelectorAll("[data-forget-draft]"), function (element) {
    try {
      window.localStorage.removeItem(element.getAttribute("data-forget-draft"));
    } catch (error) {
      // storage disabled: nothing was kept
    }
  });
  // A table wider than its box scrolls sideways; a keyboard can scroll it only when the box
  // takes focus (WCAG 2.1.1), so an overflowing box does, here and after every htmx swap.
  function focusableScrollBoxes(root) {
    Array.prototype.forEach.call(root.querySelectorAll(".table-responsive"), function (box) {
      if (box.scrollWidth > box.clientWidth && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
      }
    });
  }
  focusableScrollBoxes(document);
  document.addEventListener("htmx:afterSettle", function (event) { focusableScrollBoxes(event.target); });
  // Elements with data-print print the page.
  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-print]");
    if (target) {
      event.preventDefault();
      window.print();
    }
  });
})();
