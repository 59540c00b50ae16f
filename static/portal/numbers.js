// Number fields (portal/numbers.py): while one types, show the number the server will read
// («45 000,50») in the field's <output>, or nothing when it cannot be read. The rules are the
// server's; the server decides and says why in a form error.
(function () {
  "use strict";
  var SPACES = "[ \u00a0\u202f\u2009\u2007]+";
  function parse(raw, separator) {
    var text = raw.trim().replace(/^[\u2212\u2013]/, "-");
    var sign = "";
    if (/^[-+]/.test(text)) { sign = text[0] === "-" ? "-" : ""; text = text.slice(1).trim(); }
    var grouping = separator === "." ? "," : ".";
    if (separator === "," && text.indexOf(",") < 0 && text.split(".").length === 2) {
      var parts = text.split(".");
      if (parts[1].length === 3 && parts[0].replace(/^0+/, "")) { return null; }
      separator = "."; grouping = "";
    }
    var pieces = text.split(separator);
    if (pieces.length > 2) { return null; }
    var whole = pieces[0], fraction = pieces[1] || "";
    if (fraction && !/^\d+$/.test(fraction)) { return null; }
    var groups = whole.split(new RegExp(SPACES + (grouping ? "|\\" + grouping : "")));
    if (whole === "" && fraction) { groups = ["0"]; }
    if (!groups.every(function (g) { return /^\d+$/.test(g); })) { return null; }
    if (groups.length > 1 && (groups[0].length > 3 ||
        groups.slice(1).some(function (g) { return g.length !== 3; }))) { return null; }
    return {sign: sign, whole: groups.join("").replace(/^0+(?=\d)/, ""), fraction: fraction.replace(/0+$/, "")};
  }
  function format(number, separator, grouped, places) {
    var whole = number.whole;
    var fraction = number.fraction;
    if (fraction && places > fraction.length) { fraction += "0".repeat(places - fraction.length); }
    if (grouped) { whole = whole.replace(/\B(?=(\d{3})+(?!\d))/g, separator === "," ? "\u00a0" : ","); }
    return number.sign + whole + (fraction ? separator + fraction : "");
  }
  function update(input) {
    var echo = document.getElementById(input.id + "_echo");
    if (!echo) { return; }
    var separator = document.documentElement.lang === "en" ? "." : ",";
    var number = input.value.trim() ? parse(input.value, separator) : null;
    echo.textContent = number ? "= " + format(number, separator, input.dataset.number === "grouped",
                                            Number(input.dataset.places || 0)) : "";
  }
  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("input[data-number]")) { update(event.target); }
  });
})();
