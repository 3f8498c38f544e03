/* placeholder until ordering's messages arrive */
