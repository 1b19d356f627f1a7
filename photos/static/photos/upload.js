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

    function sendAll(files) {
      for (var i = 0; i < files.length; i++) send(files[i]);
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

    function send(file) {
      var view = row(file);
      var data = new FormData();
      data.append("files", file, file.name);
      data.append("album", form.querySelector("[name=album]").value);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("X-CSRFToken", csrf);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) view.bar.value = Math.round((100 * event.loaded) / event.total);
      });
      xhr.addEventListener("load", function () {
        var result;
        try {
          result = JSON.parse(xhr.responseText).results[0];
        } catch (error) {
          result = { ok: false, message: xhr.status + " " + xhr.statusText };
        }
        view.bar.value = 100;
        view.item.classList.add(result.ok ? "success" : "error");
        view.note.textContent = " " + result.message;
        if (result.ok) {
          pending[result.id] = view;
          if (result.thumbnail) show(result, view);
          poll();
        }
      });
      xhr.addEventListener("error", function () {
        view.item.classList.add("error");
        view.note.textContent = " " + (form.getAttribute("data-network-error") || "Network error");
      });
      xhr.send(data);
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
        });
    }
  });
})();
