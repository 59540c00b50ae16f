"""The claims the test provider asserts for its users: name and e-mail, the e-mail marked
verified unless the user's last name says otherwise (`unverified` in the username), so the tests
can exercise both branches of account linking."""


def userinfo(claims: dict, user) -> dict:
    claims["name"] = user.get_full_name()
    claims["given_name"] = user.first_name
    claims["family_name"] = user.last_name
    claims["preferred_username"] = user.username
    claims["email"] = user.email
    claims["email_verified"] = "unverified" not in user.username
    return claims
