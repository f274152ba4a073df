// Shared behaviour of every page: the mobile menu of Bootstrap Italia (its own ES module).
import '../../vendor/bootstrap-italia/plugins/navbar-collapsible.js';
import './regions.js';
