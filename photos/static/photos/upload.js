// Progressive enhancement of the upload form: drag and drop, one request per
// file with its own progress bar, and thumbnails as soon as they are ready.
// Without JavaScript the form posts all files at once and works the same.
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  ready(function () {
    var form = document.querySelector("form.dropzone");
    if (!form || !window.FormData || !window.XMLHttpRequest) return;
    var input = form.querySelector("input[type=file]");
    var list = document.querySelector(".upload-results");
    var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    var statusUrl = form.getAttribute("data-status-url");
    var pending = {};

    ["dragenter", "dragover"].forEach(function (name) {
      form.addEventListener(name, function (event) {
        event.preventDefault();
        form.classList.add("dropzone--over");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      form.addEventListener(name, function (event) {
        event.preventDefault();
        form.classList.remove("dropzone--over");
      });
    });
    form.addEventListener("drop", function (event) {
      sendAll(event.dataTransfer.files);
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      sendAll(input.files);
      input.value = "";
    });

    // Up to three uploads at a time. Until the first answer has come back the
    // visitor may have no session yet: uploads sent together would each start
    // their own, and all but one would lose their photos. So the first goes alone.
    var LIMIT = 3;
    var queue = [];
    var active = 0;
    var answered = false;

    function sendAll(files) {
      for (var i = 0; i < files.length; i++) queue.push({ file: files[i], view: row(files[i]) });
      pump();
    }

    function pump() {
      while (queue.length && active < (answered ? LIMIT : 1)) {
        var next = queue.shift();
        active += 1;
        send(next.file, next.view).then(done, done);
      }
    }

    function done() {
      active -= 1;
      answered = true;
      pump();
      if (active || queue.length || !list.querySelector(".success")) return;
      var link = document.querySelector(".upload-done");
      if (link) link.hidden = false;
      refreshGallery();
    }

    // Once a batch is in (and again when its thumbnails are ready), the
    // albums and the photo list below the form are fetched afresh, so their
    // count and grid show the new photos without a click.
    function refreshGallery() {
      if (!window.DOMParser) return;
      fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.text();
        })
        .then(function (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html");
          ["album-list", "photo-list"].forEach(function (id) {
            var next = fresh.getElementById(id);
            var current = document.getElementById(id);
            if (next && current) current.replaceWith(next);
            else if (next && id === "album-list") document.getElementById("photo-list").before(next);
            else if (current) current.remove();
          });
        })
        .catch(function () { /* the link above still shows them */ });
    }

    function row(file) {
      var item = document.createElement("li");
      item.className = "message";
      var name = document.createElement("strong");
      name.textContent = file.name;
      var bar = document.createElement("progress");
      bar.max = 100;
      bar.value = 0;
      var note = document.createElement("span");
      item.appendChild(name);
      item.appendChild(document.createTextNode(" "));
      item.appendChild(bar);
      item.appendChild(note);
      list.appendChild(item);
      return { item: item, bar: bar, note: note };
    }

    var presignUrl = form.getAttribute("data-presign-url");
    var completeUrl = form.getAttribute("data-complete-url");

    function post(url, fields, onProgress) {
      // POST a form; resolve with [status, parsed JSON or text].
      return new Promise(function (resolve, reject) {
        var data = new FormData();
        Object.keys(fields).forEach(function (key) {
          var value = fields[key];
          if (value instanceof File) data.append(key, value, value.name);
          else data.append(key, value);
        });
        var xhr = new XMLHttpRequest();
        xhr.open("POST", url);
        if (url.charAt(0) === "/") {
          xhr.setRequestHeader("X-CSRFToken", csrf);
          xhr.setRequestHeader("Accept", "application/json");
        }
        if (onProgress) xhr.upload.addEventListener("progress", onProgress);
        xhr.addEventListener("load", function () {
          var body = xhr.responseText;
          try { body = JSON.parse(body); } catch (error) { /* S3 answers with XML or nothing */ }
          resolve([xhr.status, body]);
        });
        xhr.addEventListener("error", reject);
        xhr.send(data);
      });
    }

    function finish(view, result) {
      view.bar.value = 100;
      view.item.classList.add(result.ok ? "success" : "error");
      view.note.textContent = " " + result.message;
      if (result.ok) {
        pending[result.id] = view;
        if (result.thumbnail) show(result, view);
        poll();
      }
    }

    function progressOf(view) {
      return function (event) {
        if (event.lengthComputable) view.bar.value = Math.round((100 * event.loaded) / event.total);
      };
    }

    function sendDirect(file, view) {
      // S3: sign, upload straight to the bucket, then let the server check the stored object.
      var album = form.querySelector("[name=album]").value;
      return post(presignUrl, { filename: file.name, size: file.size, content_type: file.type || "" })
        .then(function (answer) {
          var signed = answer[1];
          if (!signed.ok) throw new Error(signed.message);
          var fields = Object.assign({}, signed.fields, { file: file });
          return post(signed.url, fields, progressOf(view)).then(function (stored) {
            if (stored[0] >= 300) throw new Error("Upload refused (" + stored[0] + ")");
            return post(completeUrl, { token: signed.token, album: album });
          });
        })
        .then(function (answer) { finish(view, answer[1].results[0]); })
        .catch(function (error) { finish(view, { ok: false, message: error.message }); });
    }

    function send(file, view) {
      // Resolve once the server has answered (or the network failed).
      if (presignUrl) return sendDirect(file, view);
      var album = form.querySelector("[name=album]").value;
      return post(form.getAttribute("action"), { files: file, album: album }, progressOf(view)).then(
        function (answer) {
          var body = answer[1];
          var ok = body && body.results && body.results.length;
          finish(view, ok ? body.results[0] : { ok: false, message: String(answer[0]) });
        },
        function () {
          view.item.classList.add("error");
          view.note.textContent = " " + (form.getAttribute("data-network-error") || "Network error");
        }
      );
    }

    function show(photo, view) {
      if (view.item.querySelector("img")) return;
      var img = document.createElement("img");
      img.src = photo.thumbnail;
      img.alt = photo.filename;
      img.className = "upload-thumb";
      view.item.appendChild(img);
      delete pending[photo.id];
    }

    var polling = false;
    function poll() {
      var ids = Object.keys(pending);
      if (polling || !ids.length) return;
      polling = true;
      fetch(statusUrl + "?ids=" + ids.join(","), { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (body) {
          body.photos.forEach(function (photo) {
            var view = pending[photo.id];
            if (!view) return;
            if (photo.thumbnail) show(photo, view);
            else if (photo.status === "failed") {
              view.item.classList.remove("success");
              view.item.classList.add("error");
              view.note.textContent = " " + photo.error;
              delete pending[photo.id];
            }
          });
        })
        .finally(function () {
          polling = false;
          if (Object.keys(pending).length) setTimeout(poll, 1000);
          else if (!active && !queue.length) refreshGallery();
        });
    }
  });
})();
