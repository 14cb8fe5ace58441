# Django has no first day for Arabic and would fall back to Sunday. CLDR starts the week
# on Saturday in most Arabic-speaking countries (Egypt, Iraq, Syria, Jordan, Sudan,
# Algeria, Libya, the Gulf but Saudi Arabia), where the weekend is Friday and Saturday.
FIRST_DAY_OF_WEEK = 6  # Saturday
