"""Reference-data texts shown on the public pages, listed here so that `makemessages` puts them in the
translation catalogues. The database stays the source of truth: a text an administrator changes is
shown in English until its translation is added."""

from django.utils.translation import gettext_noop

DATA_STRINGS = (
    # Victims' Code 2020, rights 1 to 12 (onedoor/core/reference/rights.json)
    gettext_noop("To be able to understand and to be understood"),
    gettext_noop(
        "You can ask for an interpreter, and for information in words and formats you understand. You can bring "
        "someone with you when you talk to the police."
    ),
    gettext_noop("To have the details of the crime recorded without unjustified delay"),
    gettext_noop(
        "When you tell the police about a crime, they should write it down and record it quickly. You should get "
        "written proof that you reported it."
    ),
    gettext_noop("To be provided with information when reporting the crime"),
    gettext_noop(
        "The police should tell you what will happen next and how they will keep you updated, usually within 5 "
        "working days (1 working day if you have enhanced rights)."
    ),
    gettext_noop(
        "To be referred to services that support victims and have services and support tailored to your needs"
    ),
    gettext_noop(
        "You can get help from support services whether or not you told the police. If you reported the crime, the "
        "police should pass your details to a support service within 2 working days, if you agree."
    ),
    gettext_noop("To be provided with information about compensation"),
    gettext_noop(
        "You should be told if you might be able to get money to make up for what happened to you, and how to ask "
        "for it."
    ),
    gettext_noop("To be provided with information about the investigation and prosecution"),
    gettext_noop(
        "You should be told how the police investigation is going, and about important decisions, such as whether "
        "someone is charged."
    ),
    gettext_noop("To make a Victim Personal Statement"),
    gettext_noop(
        "You can write or say how the crime has affected you. The court can hear it if someone is found guilty."
    ),
    gettext_noop("To be given information about the trial, trial process and your role as a witness"),
    gettext_noop(
        "If the case goes to court, you should be told when and where the trial is, and what will happen if you "
        "give evidence. You can ask for help to give evidence."
    ),
    gettext_noop("To be given information about the outcome of the case and any appeals"),
    gettext_noop("You should be told the result of the trial, and about any appeal."),
    gettext_noop("To be paid expenses and have property returned"),
    gettext_noop(
        "You can claim some costs of going to court as a witness. Property the police took as evidence should be "
        "given back when it is no longer needed."
    ),
    gettext_noop("To be given information about the offender following a conviction"),
    gettext_noop("If the offender is convicted, you may be told about their sentence and when they may be released."),
    gettext_noop("To make a complaint about your Rights not being met"),
    gettext_noop(
        "If any of these rights were not met, you can complain to the organisation that let you down. If you are "
        "not happy with their answer, you can ask your MP to take the complaint to the Parliamentary and Health "
        "Service Ombudsman."
    ),
    # The eight needs, in plain words (onedoor/core/reference/needs.json)
    gettext_noop("Feeling well in your mind and body"),
    gettext_noop("Feeling safe where you live, or needing somewhere to live"),
    gettext_noop("Your family, friends and children"),
    gettext_noop("School, college, training or work"),
    gettext_noop("Drinking or drug use"),
    gettext_noop("Money, debts and benefits"),
    gettext_noop("How you feel about the future, and your confidence"),
    gettext_noop("Seeing people and feeling less alone"),
    # What a service may have to share, for anyone under 18 ("show first" rules' public_reason, the area file)
    gettext_noop(
        "These services are for children and young people. What you tell them is private. But if they think you, "
        "or another child, are being hurt or are not safe, they may have to tell people whose job is to keep "
        "children safe, like a social worker or the police. They will try to talk to you about it first."
    ),
)
