// My exports: while an export is queued or running, reload the page every few seconds so its
// progress and, when done, its download link appear. Without JavaScript the Refresh link does it.
"use strict";
if (document.querySelector("[data-job-pending]")) {
  window.setTimeout(function () { window.location.reload(); }, 3000);
}
