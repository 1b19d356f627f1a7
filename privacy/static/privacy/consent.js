// Cookie consent (PIX-8, SMP-8): nothing optional starts before the visitor accepts its category.
// Reads the choice from the `cookie_consent` cookie (set by the server, which also records it),
// sets Google Consent Mode v2 signals from it, starts accepted scripts, and sends the banner's
// choice without a reload. Without this script the banner's form still works (a normal POST).
(function () {
  "use strict";

  var script = document.currentScript;
  var gaId = script ? script.getAttribute("data-ga-id") : null;
  var gaSrc = script ? script.getAttribute("data-ga-src") : null;
  var COOKIE = "cookie_consent";
  var analyticsStarted = false;

  window.dataLayer = window.dataLayer || [];
  function gtag() {
    window.dataLayer.push(arguments);
  }

  function readChoice() {
    var found = document.cookie.split("; ").filter(function (c) {
      return c.indexOf(COOKIE + "=") === 0;
    })[0];
    if (!found) return null;
    var parts = decodeURIComponent(found.slice(COOKIE.length + 1)).replace(/^"|"$/g, "").split(".");
    if (parts.length !== 4) return null;
    return parts[3] ? parts[3].split("-") : [];
  }

  function state(categories, name) {
    return categories.indexOf(name) >= 0 ? "granted" : "denied";
  }

  function signals(categories) {
    return {
      ad_storage: state(categories, "marketing"),
      ad_user_data: state(categories, "marketing"),
      ad_personalization: state(categories, "marketing"),
      analytics_storage: state(categories, "statistics"),
      functionality_storage: state(categories, "preferences"),
      personalization_storage: state(categories, "preferences"),
      security_storage: "granted",
    };
  }

  function removeCookies(pattern) {
    var host = window.location.hostname;
    var domains = ["", host, "." + host.split(".").slice(-2).join(".")];
    document.cookie.split("; ").forEach(function (c) {
      var name = c.split("=")[0];
      if (!pattern.test(name)) return;
      domains.forEach(function (domain) {
        document.cookie =
          name + "=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/" + (domain ? "; domain=" + domain : "");
      });
    });
  }

  function startScripts(categories) {
    // Any <script type="text/plain" data-consent-category="…" data-src="…"> waits for its category.
    document.querySelectorAll('script[type="text/plain"][data-consent-category]').forEach(function (inert) {
      if (categories.indexOf(inert.getAttribute("data-consent-category")) < 0) return;
      var live = document.createElement("script");
      live.src = inert.getAttribute("data-src");
      live.async = true;
      inert.replaceWith(live);
    });
    if (gaId && gaSrc && !analyticsStarted && categories.indexOf("statistics") >= 0) {
      analyticsStarted = true;
      gtag("js", new Date());
      gtag("config", gaId, { anonymize_ip: true });
      var ga = document.createElement("script");
      ga.async = true;
      ga.src = gaSrc;
      document.head.appendChild(ga);
    }
  }

  function apply(categories) {
    gtag("consent", "update", signals(categories));
    if (categories.indexOf("statistics") < 0) removeCookies(/^_ga/);
    if (categories.indexOf("marketing") < 0) removeCookies(/^(_gcl|_fbp)/);
    startScripts(categories);
  }

  gtag("consent", "default", Object.assign(signals([]), { wait_for_update: 500 }));
  var choice = readChoice();
  if (choice !== null) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", function () {
        apply(choice);
      });
    } else {
      apply(choice);
    }
  }

  function banner() {
    return document.querySelector("[data-cookie-banner]");
  }

  function reflect(categories) {
    document.querySelectorAll("[data-cookie-category]").forEach(function (box) {
      box.checked = categories.indexOf(box.value) >= 0;
    });
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-cookie-settings]");
    var box = banner();
    if (!link || !box) return;
    event.preventDefault();
    reflect(readChoice() || []);
    box.hidden = false;
    var details = box.querySelector("[data-cookie-details]");
    if (details) details.open = true;
    box.querySelector("h2").focus({ preventScroll: true });
    box.scrollIntoView({ block: "nearest" });
  });

  document.addEventListener("submit", function (event) {
    var form = event.target.closest("[data-cookie-form]");
    if (!form || !window.fetch || form.hasAttribute("data-plain")) return;
    event.preventDefault();
    var submitter = event.submitter;
    var body = new FormData(form);
    if (submitter && submitter.name) body.append(submitter.name, submitter.value);
    fetch(form.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        if (!response.ok) throw new Error("choice not saved");
        return response.json();
      })
      .then(function (data) {
        reflect(data.categories);
        apply(data.categories);
        var box = banner();
        if (box) box.hidden = true;
        var status = form.querySelector("[data-cookie-status]");
        if (status) status.hidden = false;
      })
      .catch(function () {
        // Sent the ordinary way: the server says what went wrong on the page it returns to.
        form.setAttribute("data-plain", "");
        form.requestSubmit(submitter);
      });
  });
})();
