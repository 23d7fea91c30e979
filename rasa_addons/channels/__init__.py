"""Input channels. They only translate between a transport and Rasa, including a failure into a
clear message to the person (failure_replies, installed here because every Rasa server of this
project loads its channels)."""
from rasa_addons.channels import failure_replies

failure_replies.install()
