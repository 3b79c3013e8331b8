// The case page is the same HTML for every visitor (so it can be cached); this fetches
// what is personal or live: the CSRF token and signed start time of the signing form, and
// the current count.
(function () {
  "use strict";
  document.querySelectorAll("[data-petition]").forEach(function (box) {
    var form = box.querySelector("form[data-sign-form]");
    var source = new URLSearchParams(window.location.search).get("utm_source");
    if (form && source && form.elements.source) {
      form.elements.source.value = source.slice(0, 100);
    }
    fetch(box.dataset.sessionUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
      .then(function (data) {
        if (form) {
          var input = document.createElement("input");
          input.type = "hidden";
          input.name = "csrfmiddlewaretoken";
          input.value = data.csrf;
          form.appendChild(input);
          if (form.elements.started) {
            form.elements.started.value = data.started;
          }
        }
        box.querySelectorAll("[data-count-total]").forEach(function (el) {
          el.textContent = data.counts.total.toLocaleString(document.documentElement.lang);
        });
        box.querySelectorAll("progress[data-count-progress]").forEach(function (el) {
          el.value = data.counts.total;
        });
      })
      .catch(function () { /* the form falls back to its own page below */ });
    if (form) {
      form.addEventListener("submit", function (event) {
        // Without a token the POST would be refused: sign on the form's own page instead.
        if (!form.elements.csrfmiddlewaretoken) {
          event.preventDefault();
          window.location.href = form.action;
          return;
        }
        // Another response of this site (a 404 page, another tab) may have set a new CSRF
        // cookie after ours arrived; the cookie's own value is always a valid token.
        var cookie = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
        if (cookie) {
          form.elements.csrfmiddlewaretoken.value = decodeURIComponent(cookie[1]);
        }
      });
    }
  });
})();
