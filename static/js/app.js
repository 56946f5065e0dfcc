// Small enhancements for the task list, on top of htmx. Everything works without them;
// they only add what htmx attributes cannot say without eval (which our CSP forbids):
// the keyboard model, where focus goes after a swap, the server's spoken results, how
// long a notice stays. One module per feature:
import "./dom.js";
import "./announce.js";
import "./dialog.js";
import "./focus.js";
import "./keys.js";
import "./live.js";
import "./newtask.js";
import "./notices.js";
import "./order.js";
import "./picker.js";
import "./search.js";
import "./shell.js";
