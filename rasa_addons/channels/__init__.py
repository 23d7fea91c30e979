"""Input channels. They only translate between a transport and Rasa, including a failure into a
clear message to the person (failure_replies). Every Rasa server of this project loads its
channels, so the changes to how it runs custom actions are installed here too."""
from rasa_addons.runtime import remote_actions, tf_predict

remote_actions.install()
tf_predict.install()
