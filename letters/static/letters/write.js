// The writing page: a live meter of the supporter's own words, and a preview of the letter
// as its first official will read it. The server computes the stored share the same way
// (letters/composing.py personal_share): words are runs of letters and digits, and each
// word of the sample covers one occurrence in the letter.
(function () {
  "use strict";
  var WORD = /[\p{L}\p{N}]+/gu;
  var PLACEHOLDER = /\{(salutation|target_name|target_title|supporter_name|supporter_city|supporter_country|ua_number)\}/g;

  function words(text) {
    return text.normalize("NFC").toLowerCase().match(WORD) || [];
  }

  function personalShare(body, sample) {
    var mine = words(body);
    if (!mine.length) { return 0; }
    var left = new Map();
    words(sample).forEach(function (w) { left.set(w, (left.get(w) || 0) + 1); });
    var own = 0;
    mine.forEach(function (w) {
      var n = left.get(w) || 0;
      if (n) { left.set(w, n - 1); } else { own += 1; }
    });
    return Math.floor((200 * own + mine.length) / (2 * mine.length));
  }

  var form = document.querySelector("form[data-write-form]");
  if (!form) { return; }

  function supporterValues() {
    var name = form.elements.name ? form.elements.name.value.trim() : "";
    return {
      supporter_name: name || "…",
      supporter_city: form.elements.city ? form.elements.city.value.trim() : "",
      supporter_country: form.dataset.countryName || ""
    };
  }

  form.querySelectorAll("[data-letter-group]").forEach(function (group) {
    var body = group.querySelector("textarea");
    var subject = group.querySelector("input[type=text]");
    var meter = group.querySelector("[data-meter]");
    var meterValue = group.querySelector("[data-meter-value]");
    var preview = group.querySelector("[data-preview]");
    var sample = group.dataset.sampleBody || "";

    function fill(text) {
      var values = Object.assign({
        salutation: preview.dataset.salutation,
        target_name: preview.dataset.targetName,
        target_title: preview.dataset.targetTitle,
        ua_number: preview.dataset.uaNumber
      }, supporterValues());
      return text.replace(PLACEHOLDER, function (_, key) { return values[key] || ""; });
    }

    function update() {
      var share = personalShare(body.value, sample);
      meter.value = share;
      meter.textContent = share + "%";
      meterValue.textContent = share;
      if (preview) {
        preview.querySelector("[data-preview-subject]").textContent = fill(subject ? subject.value : "");
        preview.querySelector("[data-preview-body]").textContent = fill(body.value);
      }
    }

    [body, subject, form.elements.name, form.elements.city].forEach(function (el) {
      if (el) { el.addEventListener("input", update); }
    });
    update();
  });
})();
