/* blankett: drag-and-drop and progress on top of plain HTML forms that work without this script. */
"use strict";

(function () {
  function say(el, text) { if (el) { el.textContent = text; } }

  function alertBox(el, text) {
    if (!el) { return; }
    el.textContent = "";
    var p = document.createElement("p");
    p.textContent = text;
    el.appendChild(p);
  }

  function chosen(input, note) {
    var n = input.files ? input.files.length : 0;
    say(note, n === 0 ? "" : (n === 1 ? "1 fil vald: " + input.files[0].name : n + " filer valda."));
  }

  function poll(url, status, bar, done) {
    var timer = null;
    function tick() {
      fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.json().then(function (data) { return { ok: r.ok, data: data }; }); })
        .then(function (res) {
          if (!res.ok) { clearInterval(timer); say(status, res.data.fel || "Arbetet finns inte längre."); return; }
          var d = res.data;
          if (bar && d.total) { bar.max = d.total; bar.value = d.done; }
          say(status, d.message);
          if (d.finished) { clearInterval(timer); done(); }
        })
        .catch(function () { /* try again at the next tick */ });
    }
    timer = setInterval(tick, 700);
    tick();
  }

  function enhanceUpload(form) {
    var input = form.querySelector("input[type=file]");
    var zone = form.querySelector(".drop");
    var status = form.querySelector(".progress");
    var alert = form.querySelector(".alert");
    var button = form.querySelector("button[type=submit]");
    var note = document.createElement("p");
    note.className = "hint";
    note.setAttribute("aria-live", "polite");
    zone.appendChild(note);
    input.addEventListener("change", function () { chosen(input, note); });
    ["dragenter", "dragover"].forEach(function (type) {
      zone.addEventListener(type, function (ev) { ev.preventDefault(); zone.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (type) {
      zone.addEventListener(type, function () { zone.classList.remove("over"); });
    });
    zone.addEventListener("drop", function (ev) {
      ev.preventDefault();
      if (ev.dataTransfer && ev.dataTransfer.files.length) {
        input.files = ev.dataTransfer.files;
        chosen(input, note);
      }
    });
    form.addEventListener("submit", function (ev) {
      if (!input.files || input.files.length === 0) { return; } /* the browser says the field is required */
      ev.preventDefault();
      alertBox(alert, "");
      button.disabled = true;
      var bar = document.createElement("progress");
      bar.setAttribute("aria-label", "Hur långt arbetet har kommit");
      status.insertAdjacentElement("beforebegin", bar);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) {
          bar.max = e.total; bar.value = e.loaded;
          say(status, "Laddar upp: " + Math.round(100 * e.loaded / e.total) + " %");
        }
      });
      xhr.addEventListener("load", function () {
        var data = {};
        try { data = JSON.parse(xhr.responseText); } catch (e) { data = { fel: xhr.responseText }; }
        if (xhr.status !== 202) {
          bar.remove(); button.disabled = false; say(status, "");
          alertBox(alert, data.fel || "Uppladdningen misslyckades.");
          return;
        }
        bar.removeAttribute("max"); bar.removeAttribute("value");
        say(status, "Uppladdat. Arbetet har börjat.");
        poll(data.status, status, bar, function () { window.location.assign(data.page); });
      });
      xhr.addEventListener("error", function () {
        bar.remove(); button.disabled = false; say(status, "");
        alertBox(alert, "Kontakten med servern bröts. Försök igen.");
      });
      xhr.send(new FormData(form));
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-job]"), enhanceUpload);
    var running = document.querySelector("[data-poll]");
    if (running) {
      poll(running.getAttribute("data-poll"), running.querySelector(".progress"),
           running.querySelector("progress"), function () { window.location.reload(); });
    }
    var errors = document.getElementById("fel");
    if (errors) { errors.focus(); }
  });
})();
