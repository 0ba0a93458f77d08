// Single sign-on: go on to the identity provider at once (the link stays for no-script).
"use strict";
const link = document.getElementById("sso-continue");
if (link) {
  window.location.replace(link.href);
}
