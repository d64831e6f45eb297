// Starts the NHS.UK frontend's components (a module, loaded from this service only).
import { initAll } from "../vendor/nhsuk/nhsuk-frontend.min.js";

initAll();
