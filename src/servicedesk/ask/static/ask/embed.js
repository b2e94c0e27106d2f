// Embeds the Servicedesk "Ask us" form in a web site:
//   <script src="https://desk.example.com/ask/embed.js" data-lang="en" async></script>
// inserts an iframe of /ask/embed/ where the script stands (or into the element named by data-target="#id")
// and keeps its height fitting the form. The site's origin must be listed in ASK_EMBED_ORIGINS.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var source = new URL(script.src, window.location.href);
  var lang = script.getAttribute("data-lang") === "en" ? "en" : "cs";
  var iframe = document.createElement("iframe");
  iframe.src = source.origin + source.pathname.replace(/embed\.js$/, "embed/") + "?lang=" + lang;
  iframe.title = script.getAttribute("data-title") || "Servicedesk";
  iframe.className = "servicedesk-ask";
  iframe.style.cssText = "display:block;width:100%;border:0;height:640px;";
  var selector = script.getAttribute("data-target");
  var target = selector ? document.querySelector(selector) : null;
  if (target) {
    target.appendChild(iframe);
  } else {
    script.parentNode.insertBefore(iframe, script);
  }
  window.addEventListener("message", function (event) {
    if (event.origin !== source.origin || event.source !== iframe.contentWindow) return;
    var data = event.data;
    if (data && data.type === "servicedesk-ask:height" && typeof data.height === "number" && data.height > 0) {
      iframe.style.height = Math.min(Math.ceil(data.height), 5000) + "px";
    }
  });
})();
