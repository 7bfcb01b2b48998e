// Quiz attempts with JavaScript: each answer is saved as it changes (PUT to the JSON API, the
// server's acknowledgement shown), and the time left counts down. Without JavaScript the page's
// own Save and Submit buttons do the same; the server enforces the deadline either way.
(function () {
  "use strict";
  var form = document.getElementById("attempt");
  if (!form) return;
  var attempt = form.getAttribute("data-attempt");
  var token = form.querySelector("input[name=csrf_token]").value;
  var status = form.querySelector(".autosave");
  var lang = document.documentElement.lang;
  var words = lang === "vi"
    ? { saving: "Đang lưu…", saved: "Đã lưu lúc ", failed: "Chưa lưu được, đang thử lại…", over: "Hết giờ: bài đang được nộp." }
    : { saving: "Saving…", saved: "Saved at ", failed: "Not saved yet, trying again…", over: "Time is up: submitting." };
  var pending = {};
  var timer = null;

  function answerOf(fieldset) {
    var id = fieldset.querySelector("input[name=shown]").value;
    var name = "q" + id;
    var selects = fieldset.querySelectorAll("select");
    if (selects.length) {
      var pairs = {};
      selects.forEach(function (s) { if (s.value) pairs[s.name.slice(name.length + 1)] = s.value; });
      return [id, pairs];
    }
    var boxes = fieldset.querySelectorAll("input[type=checkbox]");
    if (boxes.length) {
      var ticked = [];
      boxes.forEach(function (b) { if (b.checked) ticked.push(b.value); });
      return [id, ticked];
    }
    var radio = fieldset.querySelector("input[type=radio]:checked");
    if (fieldset.querySelector("input[type=radio]")) return [id, radio ? radio.value : null];
    var text = fieldset.querySelector("input[name='" + name + "']");
    return [id, text ? text.value : null];
  }

  // One save in flight at a time, so answers reach the server in the order they were given, and
  // "saved" is shown only once every answer given so far has been acknowledged.
  var inflight = false;
  var leaving = false;

  function unsaved() {
    return inflight || timer !== null || Object.keys(pending).length > 0;
  }

  function flush() {
    timer = null;
    if (inflight) return;
    var body = pending;
    pending = {};
    if (!Object.keys(body).length) return;
    inflight = true;
    status.textContent = words.saving;
    fetch("/api/v1/attempts/" + attempt + "/answers", {
      method: "PUT",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": token },
      body: JSON.stringify({ answers: body })
    }).then(function (response) {
      if (response.status === 409) { leaving = true; window.location.reload(); return; }
      if (!response.ok) throw new Error(String(response.status));
      return response.json().then(function (data) {
        inflight = false;
        if (Object.keys(pending).length) {
          // Answers given while this one was on its way: send them now unless a timer will.
          if (timer === null) flush();
          return;
        }
        if (timer === null) status.textContent = words.saved + new Date(data.saved_at).toLocaleTimeString(lang);
      });
    }).catch(function () {
      inflight = false;
      // Keep what was not acknowledged and try again; newer answers win.
      Object.keys(body).forEach(function (k) { if (!(k in pending)) pending[k] = body[k]; });
      status.textContent = words.failed;
      schedule(3000);
    });
  }

  function schedule(delay) {
    if (timer === null) timer = window.setTimeout(flush, delay);
  }

  function remember(pair) {
    pending[pair[0]] = pair[1];
    if (status.textContent !== words.failed) status.textContent = words.saving;
  }

  form.addEventListener("change", function (event) {
    var fieldset = event.target.closest("fieldset.question");
    if (!fieldset) return;
    remember(answerOf(fieldset));
    schedule(300);
  });
  form.addEventListener("input", function (event) {
    if (event.target.tagName !== "INPUT" || event.target.type !== "text") return;
    remember(answerOf(event.target.closest("fieldset.question")));
    if (timer !== null) { window.clearTimeout(timer); timer = null; }
    schedule(1200);
  });

  // The page's own Save and Submit buttons send every answer in the form, so only leaving any
  // other way with answers not yet acknowledged asks the officer to stay.
  form.addEventListener("submit", function () { leaving = true; });
  window.addEventListener("beforeunload", function (event) {
    if (leaving || !unsaved()) return;
    event.preventDefault();
    event.returnValue = "";
  });

  var clock = document.querySelector("[data-seconds-left]");
  if (clock) {
    var ends = Date.now() + 1000 * parseInt(clock.getAttribute("data-seconds-left"), 10);
    var shown = clock.querySelector("strong");
    var tick = function () {
      var left = Math.max(0, Math.round((ends - Date.now()) / 1000));
      var minutes = Math.floor(left / 60), seconds = left % 60;
      shown.textContent = minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
      if (left === 60) clock.setAttribute("aria-live", "assertive");
      if (left === 0) {
        status.textContent = words.over;
        leaving = true;
        form.action = "/attempts/" + attempt + "/submit";
        form.submit();
        return;
      }
      window.setTimeout(tick, 1000);
    };
    tick();
  }
})();
