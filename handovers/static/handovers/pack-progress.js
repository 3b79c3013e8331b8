// A delivery pack's page while the task builds it: the bar moves without a reload, and
// the page reloads once the pack is ready or failed (its files or error then show).
(function () {
  "use strict";
  var bar = document.querySelector("[data-pack-progress]");
  if (!bar || bar.hasAttribute("data-pack-done")) return;
  var status = document.querySelector("[data-pack-status]");
  var timer = setInterval(function () {
    fetch(bar.dataset.packProgress, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        bar.value = data.progress;
        if (status) status.textContent = data.label + " · " + data.progress + "%";
        if (data.done) {
          clearInterval(timer);
          location.reload();
        }
      });
  }, 1500);
})();
