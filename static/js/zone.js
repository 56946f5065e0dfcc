// Registration: the browser's time zone, so "today" is the user's own from the first task.
const field = document.getElementById("timezone");
const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
if (field && zone) field.value = zone;
