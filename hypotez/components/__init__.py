"""Components (buttons, select menus), modals and context menus at run time, the same for every
adapter: what a reply carries (:mod:`~hypotez.components.attach`), the custom ids that keep them
working after a restart (:mod:`~hypotez.components.ids`), and what using one does
(:mod:`~hypotez.components.runtime`)."""
