// The "Ask us" page: a new captcha picture on request, and in an iframe its height for the embedding page.
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-captcha-refresh]");
    if (!button) return;
    event.preventDefault();
    fetch(button.getAttribute("data-captcha-refresh"), { headers: { "X-Requested-With": "XMLHttpRequest" } })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        var form = button.closest("form");
        form.querySelector("img.captcha").src = data.image_url;
        form.querySelector("input[name=captcha_0]").value = data.key;
        var answer = form.querySelector("input[name=captcha_1]");
        answer.value = "";
        answer.focus();
      });
  });

  if (window.parent === window) return;
  // Only a height is sent, so any embedding origin may read it; embed.js checks where it came from.
  var last = 0;
  function report() {
    var height = Math.ceil(document.documentElement.scrollHeight);
    if (height === last) return;
    last = height;
    window.parent.postMessage({ type: "servicedesk-ask:height", height: height }, "*");
  }
  window.addEventListener("load", report);
  if (window.ResizeObserver) new ResizeObserver(report).observe(document.documentElement);
  report();
})();
