// Upload page: show the bytes sent, then each file's result as the server imports it.
// Without JavaScript the form posts normally and the results table appears at the end.
(function () {
  "use strict";
  if (!window.XMLHttpRequest || !window.DOMParser) return;

  function show(text, fraction) {
    const box = document.getElementById("upload-progress");
    if (!box) return;
    box.hidden = false;
    document.getElementById("upload-progress-text").textContent = text;
    document.getElementById("upload-progress-bar").style.width = Math.round(fraction * 100) + "%";
  }

  if (window.Runhive && window.Runhive.live) {
    window.Runhive.live.on("import:progress", function (data) {
      show("Imported " + data.done + " file" + (data.done === 1 ? "" : "s") + ", last: " +
           data.name + " (" + data.status + ")", data.file / data.files);
    });
  }

  // The server's answer replaces the page's main content, keeping the live connection.
  function replaceMain(html) {
    const fresh = new DOMParser().parseFromString(html, "text/html").getElementById("main");
    const current = document.getElementById("main");
    if (fresh && current) current.replaceWith(fresh);
    bind();
  }

  function bind() {
    const form = document.getElementById("upload-form");
    if (!form) return;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      const request = new XMLHttpRequest();
      request.open("POST", form.action || window.location.href);
      request.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) {
          show("Uploading… " + Math.round((100 * e.loaded) / e.total) + "%", e.loaded / e.total);
        }
      });
      request.upload.addEventListener("load", function () { show("Uploaded. Importing…", 0); });
      request.addEventListener("load", function () { replaceMain(request.responseText); });
      request.addEventListener("error", function () {
        show("The upload failed. Check your connection and try again.", 0);
      });
      request.send(new FormData(form));
    });
  }

  bind();
})();
