// The case page is the same HTML for every visitor (so it can be cached), and its signing
// form works without this script. With it, the form gets a start time as of now rather
// than of the page's rendering, the utm_source of the visit, and the live count.
(function () {
  "use strict";
  document.querySelectorAll("[data-petition]").forEach(function (box) {
    var form = box.querySelector("form[data-sign-form]");
    var source = new URLSearchParams(window.location.search).get("utm_source");
    if (form && source && form.elements.source) {
      form.elements.source.value = source.slice(0, 100);
    }
    fetch(box.dataset.sessionUrl, { credentials: "omit", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
      .then(function (data) {
        if (form && form.elements.started) {
          form.elements.started.value = data.started;
        }
        box.querySelectorAll("[data-count-total]").forEach(function (el) {
          el.textContent = data.counts.total.toLocaleString(document.documentElement.lang);
        });
        box.querySelectorAll("progress[data-count-progress]").forEach(function (el) {
          el.value = data.counts.total;
        });
      })
      .catch(function () { /* the page's own start time and count stand */ });
  });
})();
