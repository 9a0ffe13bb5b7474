"""Actions a trigger, an event, a reaction or a schedule may take besides replying: add or remove a role,
delete the triggering message, react, send a DM, set or increment state (:mod:`hypotez.actions.runner`).
What touches Discord goes through an :class:`~hypotez.actions.base.Actuator` each adapter provides."""
