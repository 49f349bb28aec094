// NIK field on the operator's page: shows the 16 digits in groups of four as they are typed
// and checks what needs no server (length, digits, date, sex). The server checks the rest.
// The words come translated from the page, in the input's data-msg-* attributes.
(function () {
  "use strict";
  var input = document.querySelector("[data-nik-input]");
  if (!input) return;
  var hint = document.getElementById("nik-hint");
  var words = input.dataset;
  var serverMessages = hint.innerHTML;

  function group(digits) {
    return digits.replace(/(\d{4})(?=\d)/g, "$1 ");
  }

  function check(digits) {
    if (digits.length === 0) return ["", ""];
    if (digits.length < 16) return ["text-body-secondary", words.msgMore.replace("{n}", 16 - digits.length)];
    if (digits.length > 16) return ["text-danger", words.msgLength];
    var day = parseInt(digits.slice(6, 8), 10), month = parseInt(digits.slice(8, 10), 10);
    var female = day > 40;
    if (female) day -= 40;
    var date = new Date(2000, month - 1, day);
    if (month < 1 || month > 12 || day < 1 || date.getMonth() !== month - 1) {
      return ["text-danger", words.msgDate];
    }
    if (digits.slice(12) === "0000") return ["text-danger", words.msgSerial];
    var born = ("0" + day).slice(-2) + "-" + ("0" + month).slice(-2) + "-" + digits.slice(10, 12);
    return ["text-success", (female ? words.msgWoman : words.msgMan).replace("{date}", born)];
  }

  function update() {
    var raw = input.value;
    var nonDigits = /[^\d\s]/.test(raw);
    var digits = raw.replace(/\D/g, "").slice(0, 17);
    input.value = group(digits);
    var result = nonDigits ? ["text-danger", words.msgDigits] : check(digits);
    hint.className = "small " + result[0];
    hint.textContent = result[1];
  }

  input.addEventListener("input", update);
  if (input.value) {
    input.value = group(input.value.replace(/\D/g, ""));
    if (serverMessages) hint.innerHTML = serverMessages;
  }
})();
