// Failure reasons on the operator's page: once a service is chosen, only the reasons that
// service can fail for are shown (each reason's data-services attribute, from the form). A
// reason chosen before the service changed, and no longer fitting, is cleared. The server
// checks the same rule; without this script every offered reason shows.
(function () {
  "use strict";
  var form = document.querySelector(".log-form");
  if (!form) return;
  var reasons = form.querySelectorAll("input[name=result][data-services]");

  function update() {
    var chosen = form.querySelector("input[name=service]:checked");
    reasons.forEach(function (reason) {
      var fits = !chosen || reason.dataset.services.split(" ").indexOf(chosen.value) >= 0;
      var label = form.querySelector("label[for='" + reason.id + "']");
      reason.hidden = !fits;
      if (label) label.hidden = !fits;
      if (!fits && reason.checked) reason.checked = false;
    });
  }

  form.querySelectorAll("input[name=service]").forEach(function (service) {
    service.addEventListener("change", update);
  });
  update();
})();
