"""Text messages (SMS through Twilio): everything the SMS channel decides, apart from transport.

The Rasa channel (rasa_addons/channels/sms.py) only turns webhooks into calls of
`SmsConversations.handle_inbound` and hands it a way to ask the assistant and a way to send a
text. The rules that the law and the carriers set (STOP, HELP, START), the unencrypted-SMS
notice, numbered options for buttons, segmenting, and the hashed conversation id live here,
where they can be tested without a server.
"""
