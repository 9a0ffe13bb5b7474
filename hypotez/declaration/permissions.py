"""Every permission name discord.py accepts (``discord.Permissions.VALID_FLAGS``, aliases included:
``manage_emojis`` and ``manage_expressions`` are one flag), written out here so that the declaration
stage knows them without importing Discord's library. ``tests/test_permission_names.py`` checks that the
list is exactly discord.py's, so an upgrade of discord.py that adds a name fails the suite until it is
added here."""

DISCORD_PERMISSIONS: tuple[str, ...] = (
    "add_reactions", "administrator", "attach_files", "ban_members", "bypass_slowmode", "change_nickname",
    "connect", "create_events", "create_expressions", "create_instant_invite", "create_polls",
    "create_private_threads", "create_public_threads", "deafen_members", "embed_links", "external_emojis",
    "external_stickers", "kick_members", "manage_channels", "manage_emojis", "manage_emojis_and_stickers",
    "manage_events", "manage_expressions", "manage_guild", "manage_messages", "manage_nicknames",
    "manage_permissions", "manage_roles", "manage_threads", "manage_webhooks", "mention_everyone",
    "moderate_members", "move_members", "mute_members", "pin_messages", "priority_speaker",
    "read_message_history", "read_messages", "request_to_speak", "send_messages", "send_messages_in_threads",
    "send_polls", "send_tts_messages", "send_voice_messages", "set_voice_channel_status", "speak", "stream",
    "use_application_commands", "use_embedded_activities", "use_external_apps", "use_external_emojis",
    "use_external_sounds", "use_external_stickers", "use_soundboard", "use_voice_activation",
    "view_audit_log", "view_channel", "view_creator_monetization_analytics", "view_guild_insights",
)
