// Solves the case's proof-of-work challenge before the signing form is sent, so that
// mass sign-ups cost real computing time. It speaks ALTCHA's protocol (version 1): find
// the number n with SHA-256(salt + n) = challenge, and send the answer with the server's
// signature of the challenge. Self-hosted: no third party sees the visitor.
(function () {
  "use strict";
  var encoder = new TextEncoder();
  var BATCH = 1000;

  function toHex(buffer) {
    var bytes = new Uint8Array(buffer);
    var out = "";
    for (var i = 0; i < bytes.length; i++) {
      out += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
    }
    return out;
  }

  async function solve(challenge) {
    for (var start = 0; start <= challenge.maxNumber; start += BATCH) {
      var digests = [];
      var end = Math.min(start + BATCH, challenge.maxNumber + 1);
      for (var n = start; n < end; n++) {
        digests.push(crypto.subtle.digest("SHA-256", encoder.encode(challenge.salt + n)));
      }
      var results = await Promise.all(digests);
      for (var i = 0; i < results.length; i++) {
        if (toHex(results[i]) === challenge.challenge) {
          return start + i;
        }
      }
    }
    return null;
  }

  document.querySelectorAll("form[data-challenge-url]").forEach(function (form) {
    var status = form.querySelector("[data-challenge-status]");
    var pending = null;

    function run() {
      if (!pending) {
        pending = fetch(form.dataset.challengeUrl, {
          credentials: "same-origin",
          headers: { Accept: "application/json" },
        })
          .then(function (response) {
            return response.ok ? response.json() : Promise.reject(response.status);
          })
          .then(function (challenge) {
            return solve(challenge).then(function (number) {
              if (number === null) {
                return Promise.reject("unsolved");
              }
              form.elements.altcha.value = btoa(
                JSON.stringify({
                  algorithm: challenge.algorithm,
                  challenge: challenge.challenge,
                  number: number,
                  salt: challenge.salt,
                  signature: challenge.signature,
                })
              );
            });
          })
          .catch(function () {
            // Let the next attempt fetch a fresh challenge; the server explains if sent.
            pending = null;
          });
      }
      return pending;
    }

    // Start while the visitor types, so the answer is usually ready by the time they send.
    form.addEventListener("focusin", run, { once: true });
    form.addEventListener("submit", function (event) {
      // Without a CSRF token sign.js sends the visitor to the form's own page instead.
      if (event.defaultPrevented || form.elements.altcha.value || !form.elements.csrfmiddlewaretoken) {
        return;
      }
      event.preventDefault();
      if (status) {
        status.hidden = false;
      }
      Promise.resolve(run()).then(function () {
        if (status) {
          status.hidden = true;
        }
        // Sent even if unsolved: the server then shows why, instead of a silent button.
        HTMLFormElement.prototype.submit.call(form);
      });
    });
  });
})();
