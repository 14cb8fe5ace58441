// houseboat graphic media shield: a graphic picture or video stays greyscale and
// blurred (videos muted) until the person chooses to see it; each choice is counted
// towards their daily exposure, and past the team's limit a break is suggested.
// Loaded as a file (the CSP allows no inline scripts). Included once per graphic
// item, so it guards against running twice.
(function () {
  "use strict";
  if (window.houseboatGraphicShield) return;
  window.houseboatGraphicShield = true;

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function showBreak(message) {
    var banner = document.getElementById("graphic-break");
    if (!banner) {
      banner = document.createElement("div");
      banner.id = "graphic-break";
      banner.className = "message warning break-banner";
      banner.setAttribute("role", "status");
      (document.querySelector("main") || document.body).prepend(banner);
    }
    banner.textContent = message;
    banner.hidden = false;
  }

  function count(figure) {
    var url = figure.dataset.seenUrl;
    if (!url || figure.dataset.counted) return;
    figure.dataset.counted = "1";
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" },
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (exposure) {
        if (exposure && exposure.take_a_break) showBreak(exposure.message);
      })
      .catch(function () { /* counting is best effort; the picture is shown anyway */ });
  }

  function reveal(figure) {
    figure.classList.remove("shielded");
    figure.querySelectorAll("video").forEach(function (video) {
      video.muted = true;
      video.removeAttribute("tabindex");
    });
    var hide = figure.querySelector(".graphic-hide");
    if (hide) hide.focus();
    count(figure);
  }

  function shield(figure) {
    figure.classList.add("shielded");
    figure.querySelectorAll("video").forEach(function (video) {
      video.pause();
      video.setAttribute("tabindex", "-1");
    });
    var button = figure.querySelector(".graphic-reveal");
    if (button) button.focus();
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest(".graphic-reveal, .graphic-hide");
    if (!target) return;
    var figure = target.closest("figure.graphic");
    if (!figure) return;
    event.preventDefault();
    if (target.classList.contains("graphic-reveal")) reveal(figure);
    else shield(figure);
  });

  // A shielded video never plays, whatever starts it.
  document.addEventListener(
    "play",
    function (event) {
      var figure = event.target.closest && event.target.closest("figure.graphic.shielded");
      if (figure) event.target.pause();
    },
    true
  );
})();
