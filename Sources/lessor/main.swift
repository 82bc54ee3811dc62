print("lessor")
