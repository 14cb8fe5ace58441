// houseboat Publish pages: small helps on top of pages that work without them.
// Loaded as a file (the CSP allows no inline scripts); no data leaves the browser.
(function () {
  "use strict";

  // A channel's own words start from the message: opening its editor copies the
  // message in, so the person edits from it instead of facing an empty box.
  function startFromMessage() {
    document.querySelectorAll("details.variant").forEach(function (details) {
      details.addEventListener("toggle", function () {
        var box = details.querySelector("textarea[data-starts-from]");
        if (!details.open || !box || box.value.trim()) return;
        var message = document.getElementById(box.dataset.startsFrom);
        if (message) box.value = message.value;
      });
    });
  }

  // The main button says what will happen: publish now, or schedule for later.
  function labelScheduleButton() {
    var button = document.querySelector("button[data-now][data-later]");
    if (!button) return;
    function update() {
      var at = document.querySelector("input[name=when][value=at]");
      var queue = document.querySelector("input[name=when][value=queue]");
      if (queue && queue.checked && button.dataset.queue) {
        button.textContent = button.dataset.queue;
        return;
      }
      button.textContent = at && at.checked ? button.dataset.later : button.dataset.now;
    }
    document.querySelectorAll("input[name=when]").forEach(function (radio) {
      radio.addEventListener("change", update);
    });
    update();
  }

  // Offer the device's own time zone when the page shows another one.
  function offerDeviceZone() {
    var device = "";
    try {
      device = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (error) {
      return;
    }
    document.querySelectorAll("[data-device-zone]").forEach(function (button) {
      var select = button.parentElement.querySelector("select");
      if (!select || !device || select.value === device) return;
      var known = Array.prototype.some.call(select.options, function (option) {
        return option.value === device;
      });
      if (!known) return;
      // The zone and its brackets are one left-to-right island: on a right-to-left page
      // "(Asia/Tehran)" must not become ")Asia/Tehran(" or jump before the words.
      var zone = document.createElement("bdi");
      zone.dir = "ltr";
      zone.textContent = "(" + device + ")";
      button.append(" ", zone);
      button.hidden = false;
      button.addEventListener("click", function () {
        select.value = device;
        select.dispatchEvent(new Event("change", { bubbles: true }));
        button.hidden = true;
        var form = select.form;
        if (form && form.method.toLowerCase() === "get") form.submit();
      });
    });
  }

  function start() {
    startFromMessage();
    labelScheduleButton();
    offerDeviceZone();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
